import Foundation
import SlipwayCLI

// Hand over to the CLI, then exit with the code scripts rely on (see CLIExitCode).
exit(await SlipwayCommand.run(arguments: Array(CommandLine.arguments.dropFirst()), environment: .process))
