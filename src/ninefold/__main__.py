from ninefold.cli import main

main()
