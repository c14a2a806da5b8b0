# OpenCL host runtime and engine (backend selection).
