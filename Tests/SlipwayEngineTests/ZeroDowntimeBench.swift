import AsyncHTTPClient
import Foundation
import NIOCore
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayEngine

/// `bench/zero-downtime`: requests at a steady rate through Caddy to an instance, over keep-alive connections as a
/// browser keeps them, while Slipway deploys it `SLIPWAY_BENCH_DEPLOYS` times (each a new commit, default 20) and
/// then rolls back the last `SLIPWAY_BENCH_ROLLBACKS` deployments (default 5). Prints the requests sent, the
/// failed ones (any answer outside 2xx, any transport error; the target is none) with the step that ran then,
/// and the latency overall and during switches. Asserts only that every deployment completed.
@Suite(
    "Zero-downtime bench", .tags(.bench), .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["SLIPWAY_BENCH"] == "1", "set SLIPWAY_BENCH=1 (bench/zero-downtime)"))
struct ZeroDowntimeBench {
    static func setting(_ name: String, _ otherwise: Int) -> Int {
        Int(ProcessInfo.processInfo.environment[name] ?? "") ?? otherwise
    }
    static var deploys: Int { max(1, setting("SLIPWAY_BENCH_DEPLOYS", 20)) }
    static var rollbacks: Int { min(deploys, max(0, setting("SLIPWAY_BENCH_ROLLBACKS", 5))) }
    /// Requests per second.
    static var rate: Int { max(1, setting("SLIPWAY_BENCH_RATE", 50)) }
    /// Keep-alive connections to Caddy at most, as a browser opens per host.
    static var connections: Int { max(1, setting("SLIPWAY_BENCH_CONNECTIONS", 6)) }

    /// One request: when it started (the wall clock, as the steps record theirs), how long it took, how it ended.
    struct Sample: Sendable {
        let startedAt: Date
        let latency: Duration
        /// Why it failed (`HTTP 502 ...`, a transport error), nil when it got a 2xx.
        let failure: String?
    }

    @Test("requests through Caddy during consecutive deploys and rollbacks: none fails")
    func requestsDuringDeploysAndRollbacks() async throws {
        try await DeploymentTests.withStage(first: DeploymentTests.app("0")) { testStage in
            let stage = DeployBench.asInProduction(testStage)
            let first = try await DeploymentTests.deploy(stage, branch: "main")
            try #require(first.status == .completed, "\(first.error ?? "")")
            let load = Load(port: stage.world.server.proxyHTTPPort, host: stage.instance.defaultDomain)
            Self.say(
                "\(Self.rate) requests/s over at most \(Self.connections) keep-alive connections through Caddy, during "
                    + "\(Self.deploys) deploys and \(Self.rollbacks) rollbacks")
            let (samples, runs) = try await load.during { try await Self.deployAndRollBack(stage) }
            Self.report(samples, runs)
            #expect(runs.allSatisfy { $0.status == .completed })
            #expect(samples.count > Self.rate, "the load ran")
            #expect(try await DeploymentTests.page(stage) == "200 version \(Self.deploys - Self.rollbacks)\n")
        }
    }

    /// The deploys (version 1, 2, ...), then a rollback of each of the last deployments, newest first; answers
    /// them all as stored, in order.
    static func deployAndRollBack(_ stage: DeploymentTests.Stage) async throws -> [Deployment] {
        var deployed: [Deployment] = []
        for number in 1...deploys {
            try await stage.repository.commit(DeploymentTests.app("\(number)"), message: "version \(number)")
            let deployment = try await DeploymentTests.deploy(stage, branch: "main")
            say("deploy \(number)/\(deploys): \(outcome(deployment))")
            deployed.append(deployment)
        }
        var runs = deployed
        for index in 0..<rollbacks {
            let release = deployed[deployed.count - 1 - index]
            let rolledBack = try await DeploymentTests.run(stage, StepPlan.rollback(of: release))
            say("rollback \(index + 1)/\(rollbacks) (of deploy \(deployed.count - index)): \(outcome(rolledBack))")
            runs.append(rolledBack)
        }
        return runs
    }

    static func outcome(_ deployment: Deployment) -> String {
        let time = DeployBench.seconds(.milliseconds(deployment.durationMs ?? 0))
        return deployment.status == .completed
            ? "completed in \(time)" : "\(deployment.status.rawValue) in \(time): \(deployment.error ?? "")"
    }

    // MARK: The load

    /// Requests at a steady rate (open loop: each starts on its tick, whatever the earlier ones do) to Caddy's
    /// HTTP port for the instance's host name, through one AsyncHTTPClient with a pool of keep-alive connections.
    struct Load {
        let port: Int
        let host: String

        /// Runs `work` under the load (and a second after it); answers every request's sample and what `work` gave.
        func during<T: Sendable>(_ work: () async throws -> T) async throws -> ([Sample], T) {
            var configuration = HTTPClient.Configuration()
            configuration.httpVersion = .http1Only
            configuration.connectionPool = .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: ZeroDowntimeBench.connections)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let samples = Samples()
            do {
                let result = try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await generate(client, samples) }
                    let result: Result<T, any Error>
                    do {
                        result = .success(try await work())
                    } catch {
                        result = .failure(error)
                    }
                    try? await Task.sleep(for: .seconds(1))
                    await samples.stop()
                    try await group.waitForAll()
                    return try result.get()
                }
                try await client.shutdown()
                return (await samples.all, result)
            } catch {
                try? await client.shutdown()
                throw error
            }
        }

        private func generate(_ client: HTTPClient, _ samples: Samples) async {
            let interval = Duration.seconds(1) / ZeroDowntimeBench.rate
            let start = ContinuousClock.now
            await withDiscardingTaskGroup { group in
                var index = 0
                while await !samples.stopped {
                    try? await Task.sleep(until: start + interval * index, clock: .continuous)
                    group.addTask { await samples.add(await request(client)) }
                    index += 1
                }
            }
        }

        private func request(_ client: HTTPClient) async -> Sample {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/")
            request.headers.add(name: "Host", value: host)
            let startedAt = Date()
            let start = ContinuousClock.now
            do {
                let response = try await client.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 20)
                let status = Int(response.status.code)
                let failure =
                    (200..<300).contains(status)
                    ? nil : "HTTP \(status) \(String(buffer: body).prefix(120).trimmingCharacters(in: .newlines))"
                return Sample(startedAt: startedAt, latency: .now - start, failure: failure)
            } catch {
                return Sample(startedAt: startedAt, latency: .now - start, failure: "\(error)")
            }
        }
    }

    actor Samples {
        private(set) var all: [Sample] = []
        private(set) var stopped = false

        func add(_ sample: Sample) { all.append(sample) }
        func stop() { stopped = true }
    }

    // MARK: Report

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data(("zero-downtime bench: " + line + "\n").utf8))
    }

    /// Which deployment and step ran at `time` (`deploy 3, switch-traffic`), or nil.
    static func running(at time: Date, _ runs: [Deployment]) -> String? {
        for (index, run) in runs.enumerated() {
            let label = index < deploys ? "deploy \(index + 1)" : "rollback \(index - deploys + 1)"
            for step in run.steps {
                guard let started = step.startedAt, started <= time, time <= (step.completedAt ?? .distantFuture)
                else { continue }
                return "\(label), \(step.name.rawValue)"
            }
            if let started = run.startedAt, started <= time, time <= (run.completedAt ?? .distantFuture) {
                return "\(label), between steps"
            }
        }
        return nil
    }

    static func latencies(_ samples: [Sample]) -> String {
        let times = samples.map(\.latency)
        func ms(_ duration: Duration) -> String { String(format: "%.1f ms", duration / .milliseconds(1)) }
        return "p50 \(ms(DeployBench.percentile(times, 0.5))), p99 \(ms(DeployBench.percentile(times, 0.99))), "
            + "max \(ms(times.max() ?? .zero)) (\(samples.count) requests)"
    }

    static func report(_ samples: [Sample], _ runs: [Deployment]) {
        let samples = samples.sorted { $0.startedAt < $1.startedAt }
        guard let began = samples.first?.startedAt, let ended = samples.last?.startedAt else {
            return say("no request was sent")
        }
        let failed = samples.filter { $0.failure != nil }
        say("")
        say(
            "requests sent: \(samples.count) over \(DeployBench.seconds(.seconds(ended.timeIntervalSince(began)))) "
                + "(\(rate)/s asked)")
        say("failed: \(failed.count) (target 0)\(failed.isEmpty ? "" : "  over the target")")
        let clock = DateFormatter()
        clock.dateFormat = "HH:mm:ss.SSS"
        for sample in failed.prefix(10) {
            say(
                String(format: "  +%.3f s", sample.startedAt.timeIntervalSince(began))
                    + " (\(clock.string(from: sample.startedAt))), "
                    + "\(running(at: sample.startedAt, runs) ?? "between deployments"): \(sample.failure ?? "")")
        }
        if failed.count > 10 { say("  ... and \(failed.count - 10) more") }
        let switches: Set<Step.Name> = [.switchTraffic, .drain]
        let duringSwitches = samples.filter { sample in
            runs.contains { run in
                run.steps.contains { step in
                    guard switches.contains(step.name), let started = step.startedAt else { return false }
                    return started <= sample.startedAt && sample.startedAt <= (step.completedAt ?? .distantFuture)
                }
            }
        }
        say("latency overall: " + latencies(samples))
        say("latency during switches (started while switch-traffic or drain ran): " + latencies(duringSwitches))
        say("by the step running when the request started:")
        for name in Step.Name.allCases {
            let during = samples.filter { running(at: $0.startedAt, runs)?.hasSuffix(", \(name.rawValue)") == true }
            guard !during.isEmpty else { continue }
            let failures = during.filter { $0.failure != nil }.count
            say("  \(name.rawValue): " + latencies(during) + (failures > 0 ? ", \(failures) failed" : ""))
        }
        let deployments = Array(runs.prefix(deploys))
        let rollbacks = Array(runs.dropFirst(deploys))
        for (label, group) in [("deploys", deployments), ("rollbacks", rollbacks)] where !group.isEmpty {
            let times = group.map { Duration.milliseconds($0.durationMs ?? 0) }
            say(
                "\(label): \(group.filter { $0.status == .completed }.count)/\(group.count) completed, median "
                    + "\(DeployBench.seconds(DeployBench.median(times))); steps (medians): "
                    + DeployBench.steps(group.map(\.steps)))
        }
    }
}
