"""quizzer: a terminal quiz and self-assessment system for deep learning."""

__version__ = "0.1.0"
