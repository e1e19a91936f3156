"""Terminal rendering (rich) and the interactive loop: the only place besides cli/ that talks to a terminal."""
