"""The `thidua` command line: thin commands that parse arguments, call the core and map errors to exit codes."""
