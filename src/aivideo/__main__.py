from aivideo.cli.entry import main

main()
