#!/usr/bin/env python3
# tools/gdb/foreground.py: run a command (GDB) as the terminal's foreground job.
#
#   python3 tools/gdb/foreground.py gdb ARGS...
#
# Ctrl-C makes the terminal send SIGINT to its foreground process group. Under
# `make debug` that group holds make, node and GDB alike, and a SIGINT would
# end make and node with the session. This puts the command in a process
# group of its own and makes that group the terminal's foreground while it
# runs, so Ctrl-C reaches GDB alone (which interrupts the kernel); then hands
# the terminal back. Without a terminal of its own to hand over, it just runs
# the command. The exit status is the command's.

import os
import signal
import sys


def controlling_terminal():
    """The terminal's descriptor when this process is in its foreground group, else None."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return None
    try:
        if os.tcgetpgrp(tty) == os.getpgrp():
            return tty
    except OSError:
        pass
    os.close(tty)
    return None


def main(argv):
    tty = controlling_terminal()
    if tty is None:
        os.execvp(argv[0], argv)
    # Giving the terminal away and taking it back are done from outside the
    # foreground group: SIGTTOU must not stop us (POSIX tcsetpgrp).
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ours = os.getpgrp()
    child = os.fork()
    if child == 0:
        os.setpgid(0, 0)
        os.tcsetpgrp(tty, os.getpid())
        os.close(tty)
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execvp(argv[0], argv)
    try:
        os.setpgid(child, child)  # also here, so that it holds whichever process runs first
    except OSError:
        pass
    _, status = os.waitpid(child, 0)
    os.tcsetpgrp(tty, ours)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: foreground.py COMMAND [ARGS...]")
    main(sys.argv[1:])
