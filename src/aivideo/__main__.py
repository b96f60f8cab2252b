from aivideo.cli.main import main

main()
