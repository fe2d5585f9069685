import ArgumentParser
import SlipwayCore

extension InstanceCommand {
    /// `slipway instance start ID [--wait]`
    struct Start: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a start of the instance's active container (made again when it is gone).")

        @Argument(help: "The instance's id (ins_...).")
        var id: String

        @OptionGroup var wait: WaitOptions

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            try await InstanceCommand.queue("start", id: id, wait: wait, options: options, in: environment)
        }
    }

    /// `slipway instance stop ID [--wait]`
    struct Stop: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a stop of the instance's containers; its database, filestore and route stay.")

        @Argument(help: "The instance's id (ins_...).")
        var id: String

        @OptionGroup var wait: WaitOptions

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            try await InstanceCommand.queue("stop", id: id, wait: wait, options: options, in: environment)
        }
    }

    /// `slipway instance restart ID [--wait]`
    struct Restart: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a restart: the container is made again with the current env and secrets.")

        @Argument(help: "The instance's id (ins_...).")
        var id: String

        @OptionGroup var wait: WaitOptions

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            try await InstanceCommand.queue("restart", id: id, wait: wait, options: options, in: environment)
        }
    }

    /// `POST /api/instances/ID/ACTION`, then the job, or with `--wait` how it ended.
    static func queue(
        _ action: String, id: String, wait: WaitOptions, options: GlobalOptions, in environment: CLIEnvironment
    ) async throws {
        let session = try Session(environment: environment, options: options)
        let queued: APIClient.Reply<Job>
        do {
            queued = try await session.client.post(
                APIClient.path("instances", id, action), body: [String: String](), as: Job.self)
        } catch let error as CLIError {
            throw explained(error, id: id)
        }
        let job = queued.value
        guard wait.wait else {
            if session.json { return session.printJSON(queued.body) }
            return session.print("Queued \(action) of instance \(id) (job \(job.id)).")
        }
        let watch = InstanceWatch(session: session, instanceId: id, timeout: wait.timeout)
        try watch.report(try await watch.wait(forJob: job.id))
    }

    /// The API's refusals of an action on an instance, with what to do about them.
    static func explained(_ error: CLIError, id: String) -> CLIError {
        var error = error
        switch error.code {
        case "no_image":
            error.hint =
                "an instance runs the --image it was created with, or its project's first deployment; "
                + "until then it can only be stopped or removed"
        case "instance_removing":
            error.hint = "nothing more can be done to it: see `slipway instance show \(id)`"
        default:
            break
        }
        return error
    }
}
