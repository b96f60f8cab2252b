from aivideo.cli import main

main()
