import Foundation
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

@testable import SlipwayDrivers
@testable import SlipwayEngine

/// `bench/deploy`: a deploy of a changed page by Slipway's pipeline, against the same build, run, health check
/// and proxy switch typed by hand (`bench/deploy-by-hand.sh`: git, the docker CLI, curl) on the same engine and
/// the same Caddy, in one run. Each round commits a new page for each side; rounds alternate which side goes
/// first. Then Slipway redeploys the unchanged branch. Prints both sides' times, their ratio and where the time
/// goes; asserts only that each deploy happened (the new page answers through Caddy), never a time.
@Suite(
    "Deploy bench", .tags(.bench), .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["SLIPWAY_BENCH"] == "1", "set SLIPWAY_BENCH=1 (bench/deploy)"))
struct DeployBench {
    static var rounds: Int {
        max(1, Int(ProcessInfo.processInfo.environment["SLIPWAY_BENCH_DEPLOY_ROUNDS"] ?? "") ?? 6)
    }
    static let redeploys = 3
    /// The ratio Slipway may take over the same work by hand.
    static let targetRatio = 1.10
    /// The time an unchanged redeploy may take.
    static let redeployTarget = Duration.seconds(5)

    /// One round: each side's time, Slipway's steps, the stages by hand.
    struct Round {
        var handFirst: Bool
        var slipway = Duration.zero
        var steps: [Step] = []
        /// The script's time, from its start to its exit.
        var hand = Duration.zero
        var handLaps = SnapshotBenchLaps()
    }

    @Test("a deploy of a changed page: Slipway's pipeline vs the same build, run, health check and switch by hand")
    func slipwayVersusByHand() async throws {
        try await DeploymentTests.withStage(first: DeploymentTests.app("first")) { testStage in
            let stage = Self.asInProduction(testStage)
            let hands = try await DeployBenchHands(stage)
            do {
                try await Self.measure(stage, hands)
            } catch {
                _ = try? await hands.run("teardown")
                throw error
            }
            try await hands.run("teardown")
        }
    }

    /// The stage with the pipeline `slipway serve` runs (its drain and switch deadlines), not the tests' shorter one.
    static func asInProduction(_ stage: DeploymentTests.Stage) -> DeploymentTests.Stage {
        DeploymentTests.Stage(
            world: stage.world, repository: stage.repository, project: stage.project, instance: stage.instance,
            pipeline: DeploymentPipeline(snapshots: stage.pipeline.snapshots))
    }

    static func measure(_ stage: DeploymentTests.Stage, _ hands: DeployBenchHands) async throws {
        say("first deploy of each side (not timed)")
        var last = try await slipwayDeploy(stage).deployment
        // Its route goes into the Caddy server Slipway's first deploy made.
        try await hands.run("setup")
        _ = try await hands.deploy()
        var rounds: [Round] = []
        for number in 1...Self.rounds {
            var round = Round(handFirst: number % 2 == 1)
            for handTurn in [round.handFirst, !round.handFirst] {
                let version = "\(handTurn ? "by-hand" : "slipway")-\(number)"
                try await stage.repository.commit(DeploymentTests.app(version), message: version)
                try await settle()
                if handTurn {
                    let start = ContinuousClock.now
                    round.handLaps = try await hands.deploy()
                    round.hand = ContinuousClock.now - start
                    #expect(try await hands.page() == "200 version \(version)\n")
                } else {
                    let (duration, deployment) = try await slipwayDeploy(stage)
                    (round.slipway, round.steps, last) = (duration, deployment.steps, deployment)
                    #expect(try await DeploymentTests.page(stage) == "200 version \(version)\n")
                }
            }
            say(
                "round \(number) (\(round.handFirst ? "by hand" : "Slipway") first): Slipway \(seconds(round.slipway)), "
                    + "by hand \(seconds(round.hand))")
            rounds.append(round)
        }
        // Unchanged: the branch's head is the commit Slipway runs.
        if try await stage.repository.head() != last.commitSha {
            last = try await slipwayDeploy(stage).deployment
        }
        var redeploys: [(Duration, Deployment)] = []
        for _ in 1...Self.redeploys {
            try await settle()
            let again = try await slipwayDeploy(stage)
            #expect(again.deployment.imageDigest == last.imageDigest, "an unchanged commit builds the same image")
            redeploys.append(again)
        }
        report(rounds, redeploys: redeploys, updateContainerParts: try await updateContainerParts(stage))
    }

    /// The work of Slipway's update-container step that the hands do not do, each part timed once (it is the
    /// same on every deploy): the server reached, the instance's database and role made sure of (the database
    /// service checked, then psql in it), the apps network made sure of.
    static func updateContainerParts(_ stage: DeploymentTests.Stage) async throws -> SnapshotBenchLaps {
        let instances = stage.pipeline.instances
        let instance = try await InstanceLifecycleTests.reload(stage.world, stage.instance)
        var laps = SnapshotBenchLaps()
        let target = try await laps.time("reach the server") { try await instances.target(instance) }
        try await laps.time("ensure the database and its role") { try await instances.ensureDatabase(instance, target) }
        try await laps.time("ensure the apps network") { try await instances.ensureAppsNetwork(target) }
        return laps
    }

    /// A deploy of the branch by the pipeline, timed from the queued record to its end; it must complete.
    static func slipwayDeploy(_ stage: DeploymentTests.Stage) async throws -> (
        duration: Duration, deployment: Deployment
    ) {
        let start = ContinuousClock.now
        let deployment = try await DeploymentTests.deploy(stage, branch: "main")
        let duration = ContinuousClock.now - start
        try #require(
            deployment.status == .completed, "\(deployment.error ?? "") \(DeploymentTests.statuses(deployment))")
        return (duration, deployment)
    }

    /// Writes the host's dirty pages, so a timed deploy does not pay for the writes of the one before.
    static func settle() async throws {
        _ = await (try LocalProcess.start(["sync"], environment: ProcessInfo.processInfo.environment)).collect()
    }

    // MARK: Report

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data(("deploy bench: " + line + "\n").utf8))
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f s", duration / .seconds(1))
    }

    /// The value at fraction `p` (0...1) of the sorted values (nearest rank); zero when there are none.
    static func percentile(_ values: [Duration], _ p: Double) -> Duration {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .zero }
        return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
    }

    static func median(_ values: [Duration]) -> Duration {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .zero }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// A step's median duration over deployments, from its recorded `durationMs`.
    static func median(_ name: Step.Name, of steps: [[Step]]) -> Duration {
        median(steps.compactMap { $0.first { $0.name == name }?.durationMs }.map { .milliseconds($0) })
    }

    static func steps(_ steps: [[Step]]) -> String {
        Step.Name.allCases.map { name in
            steps.first?.first { $0.name == name }?.status == .skipped
                ? "\(name.rawValue) skipped" : "\(name.rawValue) \(seconds(median(name, of: steps)))"
        }.joined(separator: ", ")
    }

    static func report(_ rounds: [Round], redeploys: [(Duration, Deployment)], updateContainerParts: SnapshotBenchLaps)
    {
        func ratio(_ slipway: Duration, _ hand: Duration) -> String {
            let ratio = slipway / hand
            return String(format: "%.2f", ratio) + (ratio <= targetRatio ? "" : "  over the target")
        }
        func row(_ label: String, _ slipway: Duration, _ hand: Duration) {
            say(
                label.padding(toLength: 26, withPad: " ", startingAt: 0)
                    + seconds(slipway).padding(toLength: 11, withPad: " ", startingAt: 0)
                    + seconds(hand).padding(toLength: 11, withPad: " ", startingAt: 0) + ratio(slipway, hand))
        }
        say("")
        say("a deploy of a changed page (busybox httpd), \(rounds.count) rounds, each side a new commit per round")
        say("                          Slipway    by hand    ratio (target <= \(String(format: "%.2f", targetRatio)))")
        for (index, round) in rounds.enumerated() {
            row("round \(index + 1) (\(round.handFirst ? "by hand" : "Slipway") first)", round.slipway, round.hand)
        }
        let slipway = median(rounds.map(\.slipway))
        let hand = median(rounds.map(\.hand))
        row("median", slipway, hand)
        say("")
        let steps = rounds.map(\.steps)
        let handLap = { (name: String) in
            median(rounds.map { $0.handLaps.laps.first { $0.name == name }?.duration ?? .zero })
        }
        say("where the time goes (medians):")
        say("  Slipway's steps (durationMs): " + Self.steps(steps))
        // The snapshot runs beside clone and build, the push beside the new colour's start and health check:
        // the steps cover the span from the first start to the last end, not the sum of their durations.
        let recorded = median(
            rounds.map { round in
                let starts = round.steps.compactMap(\.startedAt)
                let ends = round.steps.compactMap(\.completedAt)
                guard let first = starts.min(), let last = ends.max() else { return Duration.zero }
                return .milliseconds(Int64((last.timeIntervalSince(first) * 1000).rounded()))
            })
        say("  Slipway outside its steps (queue record, step records): \(seconds(slipway - recorded))")
        say(
            "  by hand: "
                + ["fetch", "build", "run", "health", "switch", "check", "stop"].map { "\($0) \(seconds(handLap($0)))" }
                .joined(separator: ", "))
        say(
            "  by hand outside its stages (bash, process start): \(seconds(median(rounds.map { $0.hand - $0.handLaps.total })))"
        )
        say("  side by side:")
        func pair(_ label: String, _ slipway: [Step.Name], _ hand: [String]) {
            let ours = slipway.reduce(Duration.zero) { $0 + median($1, of: steps) }
            let theirs = hand.reduce(Duration.zero) { $0 + handLap($1) }
            say(
                "    " + label.padding(toLength: 34, withPad: " ", startingAt: 0)
                    + "Slipway \(seconds(ours))".padding(toLength: 18, withPad: " ", startingAt: 0)
                    + (hand.isEmpty ? "(Slipway only)" : "by hand \(seconds(theirs))"))
        }
        pair("fetch, archive, build", [.clone, .build], ["fetch", "build"])
        pair("start the new colour", [.updateContainer], ["run"])
        pair("health check", [.healthCheck], ["health"])
        pair("switch, checked through Caddy", [.switchTraffic], ["switch", "check"])
        pair("stop the old colour", [.drain], ["stop"])
        pair("pre-deploy snapshot", [.preDeploySnapshot], [])
        pair("push to the registry", [.push], [])
        // What the snapshot adds is the part of it the clone and build do not cover; what the push adds, the
        // part the new colour's start, module update and health check do not.
        let source = median(.clone, of: steps) + median(.build, of: steps)
        let snapshotBeyond = max(.zero, median(.preDeploySnapshot, of: steps) - source)
        let release = [Step.Name.updateContainer, .moduleUpdate, .healthCheck].reduce(Duration.zero) {
            $0 + median($1, of: steps)
        }
        let pushBeyond = max(.zero, median(.push, of: steps) - release)
        say("  the snapshot runs beside clone and build; it adds \(seconds(snapshotBeyond))")
        say("  the push runs beside the new colour's start and health check; it adds \(seconds(pushBeyond))")
        let extra = snapshotBeyond + pushBeyond
        say(
            "  Slipway less its snapshot and push: \(seconds(slipway - extra)), ratio \(ratio(slipway - extra, hand))")
        say("")
        say("work Slipway does beyond the hands:")
        say("  pre-deploy snapshot: pg_dump of the instance's database, checked (pg_restore --list, sha256), recorded")
        say("  build: the labels as one LABEL line appended to the Dockerfile (one builder step, as the hands' one)")
        say("  push: the image into the server's registry, so a rollback runs it by digest")
        say(
            "  update container: the database and its role ensured, the container created with env, secrets and "
                + "two networks; the record written before and after")
        say(
            "    its parts the hands do not do, each timed once: "
                + updateContainerParts.laps.map { "\($0.name) \(seconds($0.duration))" }.joined(separator: ", "))
        say(
            "  switch: the container and its image inspected, Caddy's server checked and the whole route set, then "
                + "checked through Caddy by its X-Slipway-Upstream header; the instance record updated")
        say("  drain: the old colour's open connections read (/proc/PID/net/tcp on the server) before it is stopped")
        say("  every step: its status, output and times written to the store before and after it acts")
        say("")
        let times = redeploys.map(\.0)
        let verdict = median(times) < redeployTarget ? "" : "  over the target"
        say(
            "unchanged redeploy by Slipway: " + times.map(seconds).joined(separator: ", ")
                + " (median \(seconds(median(times))); target < \(seconds(redeployTarget)))\(verdict)")
        say("  its steps (medians): " + Self.steps(redeploys.map(\.1.steps)))
    }
}
