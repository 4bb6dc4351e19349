import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { screenAt } from "./screens";
import "./styles.css";

// The first screen's code is on its way beside this script (index.html preloads it): render once it is here.
await screenAt(window.location.pathname)?.screen.component.preload().catch(() => undefined);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
