"""A HotWax OMS (Maarg) emulator for the tests and the demo: see README.md in this directory."""
