"""Exam sheets: spec, versions, rendering (md/html/pdf), grading of filled answers, item analysis."""
