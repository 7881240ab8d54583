from alarmvern.cli import main

main()
