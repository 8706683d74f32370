"""The command line: argument parsing, commands, progress line and run summary."""
