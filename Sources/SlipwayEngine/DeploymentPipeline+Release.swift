import Foundation
import SlipwayCore
import SlipwayDrivers

/// The steps that put the new image live: the idle colour started beside the serving one, the module
/// update, its health check, the switch of the proxy (checked through the proxy) and the old colour drained.
extension DeploymentPipeline {
    /// Starts each instance's idle colour from the deployment's image (by digest), with the instance's env,
    /// secrets, database and filestore. The colour and what served before are written first, so a failure
    /// or a takeover knows which container is the new one. A rollback first restores the rolled-back
    /// deployment's pre-deploy snapshot (its safety snapshot is taken).
    func updateContainers(_ deployment: inout Deployment, _ log: DeploymentStepLog) async throws
        -> DeploymentRecorder.Outcome
    {
        var rolledBack: Deployment?
        if let rollbackOf = deployment.rollbackOf {
            rolledBack = try await store.deployment(organizationId: deployment.organizationId, id: rollbackOf)
        }
        for (index, instance) in try await targetInstances(deployment) {
            let image = try await runImage(deployment, index, instance)
            if deployment.targets[index].color == nil {
                deployment.targets[index].previousImage = instance.image
                deployment.targets[index].previousColor = instance.image == nil ? nil : instance.activeColor
                deployment.targets[index].color =
                    instance.image == nil ? (instance.activeColor ?? .blue) : (instance.activeColor ?? .blue).other
                try await log.sync(&deployment)
            }
            let color = deployment.targets[index].color ?? .blue
            if let rolledBack, !deployment.targets[index].databaseTouched {
                guard
                    let snapshotId = rolledBack.targets.first(where: { $0.instanceId == instance.id })?.snapshotId,
                    let snapshot = try await store.snapshot(organizationId: instance.organizationId, id: snapshotId)
                else { throw DeploymentFailure("the pre-deploy snapshot of \(rolledBack.id) is gone") }
                deployment.targets[index].databaseTouched = true
                try await log.sync(&deployment)
                await log.line("\(instance.name): restoring snapshot \(snapshotId) taken before \(rolledBack.id)")
                let report = try await snapshots.restore(snapshot, safetySnapshot: false, keepRunning: true)
                for line in report.steps { await log.line("  \(line)") }
            }
            let reached = try await instances.target(instance)
            await log.line("\(instance.name): starting \(color.rawValue) from \(image)")
            let started = try await instances.launch(instance, color: color, image: image, databaseReady: true, reached)
            if let port = started.hostPorts?[color] {
                await log.line("\(instance.name): \(color.rawValue) runs on 127.0.0.1:\(port)")
            }
        }
        return .completed
    }

    /// The image a target's new colour runs: the pushed one by digest, or, while the push still runs beside
    /// this, the one the build left on the instance's server under the commit's tag (the same image id).
    private func runImage(_ deployment: Deployment, _ index: Int, _ instance: Instance) async throws -> String {
        if let image = deployment.targets[index].image { return image }
        guard deployment.rollbackOf == nil, deployment.step(.build)?.status == .completed else {
            throw DeploymentFailure("no image was built for \(instance.name)")
        }
        let (project, sha) = try await resolvedCommit(deployment)
        guard let server = try await store.server(organizationId: instance.organizationId, id: instance.serverId) else {
            throw DeploymentFailure("the server of \(instance.name) was deleted")
        }
        return "\(Self.repository(project: project, server: server)):\(sha)"
    }

    /// Odoo's module update on the new image, in a one-off container: the addons whose files changed since
    /// the commit the instance ran. The database counts as touched from the moment it starts, so a failure
    /// from here on restores the pre-deploy snapshot.
    func updateModules(_ deployment: inout Deployment, _ log: DeploymentStepLog) async throws
        -> DeploymentRecorder.Outcome
    {
        guard
            let project = try await store.project(organizationId: deployment.organizationId, id: deployment.projectId),
            project.kind == .odoo, let sha = deployment.commitSha
        else { return .skipped("not an Odoo project: no module update") }
        guard
            let environment = try await store.environment(
                organizationId: deployment.organizationId, id: deployment.environmentId)
        else { throw DeploymentFailure("the environment was deleted") }
        if environment.moduleUpdate == .none {
            return .skipped("the environment's module update policy is none")
        }
        var updated = false
        for (index, instance) in try await targetInstances(deployment) {
            let image = try await runImage(deployment, index, instance)
            let modules: [String]
            if environment.moduleUpdate == .listed {
                modules = environment.moduleUpdateModules
            } else {
                guard let changed = try await changedModules(instance, project: project, to: sha, deployment, log)
                else { continue }
                modules = changed
            }
            deployment.targets[index].databaseTouched = true
            try await log.sync(&deployment)
            await log.line("\(instance.name): updating \(modules.joined(separator: ", "))")
            let result = try await instances.updateModules(instance, image: image, modules: modules)
            for line in result.lines { await log.line(line) }
            guard result.succeeded else {
                throw DeploymentFailure("the module update of \(instance.name) exited with \(result.exitCode)")
            }
            updated = true
        }
        return updated ? .completed : .skipped("no module to update")
    }

    /// The addons whose files changed between the commit the instance ran and `sha`; nil (with the reason
    /// in the log) when there is nothing to compare or nothing changed.
    private func changedModules(
        _ instance: Instance, project: Project, to sha: String, _ deployment: Deployment, _ log: DeploymentStepLog
    ) async throws -> [String]? {
        let previous = try await store.lastCompletedDeployment(
            organizationId: instance.organizationId, instanceId: instance.id, before: deployment.createdAt)
        guard let previousSha = previous?.commitSha else {
            await log.line("\(instance.name): its first deployment, no earlier commit to compare: no module updated")
            return nil
        }
        let reached = try await instances.target(instance)
        let mirror = GitMirror(project: project, server: reached.server, host: reached.host)
        guard let changed = try await mirror.changedPaths(from: previousSha, to: sha) else {
            await log.line("\(instance.name): \(previousSha) is no longer in the repository: no module updated")
            return nil
        }
        let modules = ModuleSelection.changedModules(changed: changed, files: try await mirror.files(sha))
        guard !modules.isEmpty else {
            await log.line("\(instance.name): no addon changed since \(previousSha.prefix(12)): no module updated")
            return nil
        }
        return modules
    }

    /// Waits until each new colour answers its health path on the server's loopback, within the deadline.
    func checkHealth(_ deployment: Deployment, _ log: DeploymentStepLog) async throws -> DeploymentRecorder.Outcome {
        let environment = try await store.environment(
            organizationId: deployment.organizationId, id: deployment.environmentId)
        let deadline = environment.map { Duration.seconds($0.healthCheckTimeoutSeconds) }
        for (index, instance) in try await targetInstances(deployment) {
            let color = deployment.targets[index].color ?? .blue
            let reached = try await instances.target(instance)
            do {
                try await instances.waitHealthy(instance, color: color, reached, deadline: deadline)
            } catch let failure as InstanceFailure {
                for line in failure.lastLines { await log.line("  \(line)") }
                throw DeploymentFailure("\(instance.name): \(failure.reason)")
            }
            await log.line("\(instance.name): \(color.rawValue) answers \(instance.healthPath ?? "/")")
        }
        return .completed
    }

    /// Moves each instance's route to the new colour in one change of the proxy, then checks through the
    /// proxy that the new colour answers and runs the deployment's image; only then is it the active one.
    func switchTraffic(_ deployment: inout Deployment, _ log: DeploymentStepLog) async throws
        -> DeploymentRecorder.Outcome
    {
        for (index, instance) in try await targetInstances(deployment) {
            let target = deployment.targets[index]
            guard let color = target.color, let image = target.image, let port = instance.hostPorts?[color] else {
                throw DeploymentFailure("\(instance.name) has no new colour to switch to")
            }
            let reached = try await instances.target(instance)
            let running = try await reached.docker.inspectContainer(instance.containerName(color))
            guard running.state.isUp, running.imageId == (try await reached.docker.inspectImage(image)).id else {
                throw DeploymentFailure("the \(color.rawValue) container of \(instance.name) does not run \(image)")
            }
            try await instances.route(instance, color: color, reached)
            let upstream = "127.0.0.1:\(port)"
            let probe = HealthProbe(
                endpoint: try await reached.host.loopback(port: reached.server.proxyHTTPPort),
                port: reached.server.proxyHTTPPort)
            let until = ContinuousClock.now.advanced(by: switchDeadline)
            var last = "no answer yet"
            while true {
                switch await probe.upstream(path: instance.healthPath ?? "/", host: instance.defaultDomain) {
                case .success(let answer) where answer.upstream == upstream && answer.status < 500:
                    last = ""
                case .success(let answer):
                    last = "HTTP \(answer.status) from \(answer.upstream ?? "no upstream")"
                case .failure(let error):
                    last = error.message
                }
                if last.isEmpty { break }
                guard ContinuousClock.now < until else {
                    throw DeploymentFailure(
                        "the proxy did not answer from \(color.rawValue) (\(upstream)) within \(switchDeadline): \(last)"
                    )
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            await log.line(
                "\(instance.name): the proxy answers \(instance.defaultDomain) from \(color.rawValue) (\(upstream))")
            guard var current = try await store.instance(organizationId: instance.organizationId, id: instance.id)
            else { throw DeploymentFailure("the instance \(instance.name) was removed") }
            current.activeColor = color
            current.image = image
            current.status = .running
            current.statusReason = nil
            current.lastLogLines = []
            _ = try await store.updateInstance(current)
            deployment.activeColor = color
        }
        return .completed
    }

    /// Lets each old colour finish the requests it has in flight (the connections it still holds to its
    /// app's port, up to the drain deadline), then stops it; its container stays, stopped, until the next
    /// deployment replaces it.
    func drain(_ deployment: Deployment, _ log: DeploymentStepLog) async throws -> DeploymentRecorder.Outcome {
        var drained = false
        for (index, instance) in try await targetInstances(deployment) {
            let target = deployment.targets[index]
            guard let old = target.previousColor, old != target.color, let port = instance.port else { continue }
            let reached = try await instances.target(instance)
            guard let container = try await instances.existing(instance.containerName(old), reached.docker),
                container.state.running
            else {
                await log.line("\(instance.name): \(old.rawValue) is not running")
                continue
            }
            let until = ContinuousClock.now.advanced(by: drainDeadline)
            var open = try await openConnections(container, port: port, reached)
            if let count = open, count > 0 {
                await log.line("\(instance.name): \(old.rawValue) has \(count) requests in flight; waiting for them")
            }
            while let count = open, count > 0, ContinuousClock.now < until {
                try await Task.sleep(for: .milliseconds(200))
                open = try await openConnections(container, port: port, reached)
            }
            switch open {
            case .none:
                // No `cat` in the image: the connections cannot be read; a short grace period stands in.
                try await Task.sleep(for: .seconds(2))
                await log.line("\(instance.name): could not read \(old.rawValue)'s connections; waited 2 s")
            case .some(0):
                await log.line("\(instance.name): \(old.rawValue) has no request in flight")
            case .some(let count):
                await log.line(
                    "\(instance.name): \(old.rawValue) still has \(count) requests after \(drainDeadline); stopping it anyway"
                )
            }
            // The new colour is live and checked: an old one that will not stop is reported, not undone.
            do {
                try await reached.docker.stopContainer(container.id, timeout: .seconds(30))
                await log.line("\(instance.name): stopped \(old.rawValue)")
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                await log.line(
                    "\(instance.name): could not stop \(old.rawValue) (\(error)); it runs beside the new one")
            }
            drained = true
        }
        return drained ? .completed : .skipped("nothing ran before: nothing to drain")
    }

    /// The established connections to `port` in the container, or nil when they cannot be read. Read from the
    /// server itself, through the container's main process (`/proc/PID/net/tcp` is its network namespace's
    /// table, readable by any user), which costs a process start; else from inside the container with
    /// `docker exec cat`, which costs an exec (and needs `cat` in the image).
    private func openConnections(_ container: ContainerDetails, port: Int, _ reached: InstanceOperations.Target)
        async throws -> Int?
    {
        if let pid = container.state.pid, pid > 0 {
            let result = try await reached.host.run(
                ["cat", "/proc/\(pid)/net/tcp", "/proc/\(pid)/net/tcp6"], deadline: .seconds(10))
            // tcp6 is absent where IPv6 is off: cat then fails, but has printed tcp.
            if result.stdoutText.contains("local_address") {
                return OpenConnections.count(procNetTCP: result.stdoutText, port: port)
            }
        }
        let result: ExecResult
        do {
            result = try await reached.docker.exec(
                container.id, command: ["cat", "/proc/net/tcp", "/proc/net/tcp6"], timeout: .seconds(10))
        } catch is DockerError {
            // Gone or stopped meanwhile: there is nothing to wait for, or nothing to read it with.
            return nil
        }
        let text = result.output.filter { $0.stream == .stdout }.map(\.text).joined(separator: "\n")
        guard text.contains("local_address") else { return nil }
        return OpenConnections.count(procNetTCP: text, port: port)
    }
}
