"""Progress over sessions: FSRS scheduling, statistics, report and charts."""
