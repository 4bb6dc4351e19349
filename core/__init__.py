"""The shared kernel: values, coded errors, record dataclasses, ids, text and blocks; imports nothing of ours."""
