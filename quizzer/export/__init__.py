"""Exporting the bank and generated problems to other systems: Moodle XML, GIFT, Anki."""
