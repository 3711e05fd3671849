import Glibc

exit(JobSim.run(arguments: Array(CommandLine.arguments.dropFirst())))
