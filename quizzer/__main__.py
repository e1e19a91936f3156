from quizzer.cli.main import main

main()
