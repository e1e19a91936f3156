"""The quiz engine: questions, selection, sessions. No terminal code here (see quizzer.ui)."""
