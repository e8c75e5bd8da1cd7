// tandem-ctl: a command-line ng client for tandemd or rtpengine. See CtlInvocation.usage.
import Glibc

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.isEmpty || arguments.contains("--help") || arguments.contains("-h") {
    print(CtlInvocation.usage)
    exit(arguments.isEmpty ? 2 : 0)
}
do {
    let invocation = try CtlInvocation.parse(arguments)
    fflush(nil)
    exit(runCtl(invocation))
} catch {
    printError(error.message)
    print(CtlInvocation.usage)
    exit(2)
}
