import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { preloadScreen } from "./screens";
import "./styles.css";

// The first screen's code before the first render: its operation then goes out with the shell's.
void preloadScreen(window.location.pathname)
  .catch(() => undefined) // a chunk that fails to load is loaded again (and reported) by React.lazy
  .then(() =>
    createRoot(document.getElementById("root")!).render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  );
