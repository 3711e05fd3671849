import JobctlKit

// The executable only hands the process's arguments, environment and streams to the library.
exitProcess(Jobctl.main(arguments: CommandLine.arguments, environment: .process))
