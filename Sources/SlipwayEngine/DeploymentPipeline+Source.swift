import Foundation
import SlipwayCore
import SlipwayDrivers

/// The steps that make the image: the pre-deploy snapshot, then clone, build and push on each server the
/// deployment's instances run on.
extension DeploymentPipeline {
    /// A snapshot of each instance (`pre-deploy`), taken before anything changes; one already taken by a
    /// worker that died is kept. A failed snapshot fails the deployment with nothing changed.
    func snapshot(_ deployment: inout Deployment, _ log: DeploymentStepLog) async throws -> DeploymentRecorder.Outcome {
        for (index, instance) in try await targetInstances(deployment) {
            if let existing = deployment.targets[index].snapshotId,
                try await store.snapshot(organizationId: instance.organizationId, id: existing)?.status == .completed
            {
                await log.line("\(instance.name): snapshot \(existing) already taken")
                continue
            }
            let reason =
                deployment.rollbackOf.map { "safety snapshot before rolling back \($0)" }
                ?? "before deployment \(deployment.id)"
            let snapshot = Snapshot(
                organizationId: instance.organizationId, environmentId: instance.environmentId, instanceId: instance.id,
                kind: .preDeploy, statusReason: reason)
            try await store.createSnapshot(snapshot)
            await log.line("\(instance.name): taking snapshot \(snapshot.id)")
            let taken = try await snapshots.take(snapshot)
            guard taken.status == .completed else {
                throw DeploymentFailure(
                    "the snapshot of \(instance.name) failed (\(taken.statusReason ?? "no reason")): nothing was changed"
                )
            }
            await log.line(
                "\(instance.name): snapshot \(taken.id) completed, database \(taken.databaseBytes ?? 0) bytes"
                    + (taken.filestoreBytes.map { ", filestore \($0) bytes" } ?? ""))
            deployment.targets[index].snapshotId = taken.id
            if deployment.snapshotId == nil { deployment.snapshotId = taken.id }
            try await log.sync(&deployment)
        }
        return .completed
    }

    /// Fetches the repository into the mirror on each server (with the project's deploy key, when it has one)
    /// and resolves the ref to one commit, whose sha, author and message go on the deployment.
    func clone(_ deployment: inout Deployment, _ log: DeploymentStepLog) async throws -> DeploymentRecorder.Outcome {
        guard let project = try await store.project(organizationId: deployment.organizationId, id: deployment.projectId)
        else { throw DeploymentFailure("the project was deleted") }
        let ref: GitCommand.Ref
        if let sha = deployment.commitSha {
            ref = .commit(sha)
        } else if let tag = deployment.tag {
            ref = .tag(tag)
        } else if let branch = deployment.branch {
            ref = .branch(branch)
        } else {
            throw DeploymentFailure("the deployment names no branch, commit or tag")
        }
        // A deploy key serves SSH only; for another transport it is not even opened.
        let deployKey =
            GitCommand.usesSSH(project.repoUrl)
            ? try await OpenedDeployKey.load(
                organizationId: project.organizationId, projectId: project.id, store: store, secrets: instances.secrets)
            : nil
        var resolved: GitCommit?
        for (server, _) in try await servers(deployment) {
            let reached = try await instances.target(server)
            let mirror = GitMirror(project: project, server: reached.server, host: reached.host, deployKey: deployKey)
            await log.line("\(reached.server.name): \(try await mirror.fetch())")
            let commit = try await mirror.commit(ref)
            if let resolved, resolved.sha != commit.sha {
                throw DeploymentFailure("\(ref) moved while the deployment fetched it; deploy again")
            }
            resolved = commit
        }
        guard let commit = resolved else { throw DeploymentFailure("the deployment has no instances") }
        await log.line("\(ref) is \(commit.sha): \(commit.message) (\(commit.author))")
        deployment.commitSha = commit.sha
        deployment.commitMessage = commit.message
        deployment.commitAuthor = commit.author
        return .completed
    }

    /// Builds the commit's image on each server from `git archive` of the mirror, tagged with the commit in
    /// the server's registry's name; the engine's build cache makes an unchanged rebuild quick.
    func build(_ deployment: inout Deployment, _ log: DeploymentStepLog) async throws -> DeploymentRecorder.Outcome {
        let (project, sha) = try await resolvedCommit(deployment)
        for (server, _) in try await servers(deployment) {
            let reached = try await instances.target(server)
            let mirror = GitMirror(project: project, server: reached.server, host: reached.host)
            let context = TarArchive(archive: try await mirror.archive(sha))
            let repository = Self.repository(project: project, server: reached.server)
            await log.line("\(reached.server.name): building \(repository):\(sha)")
            let labels = SlipwayLabels(
                organizationId: deployment.organizationId, projectId: deployment.projectId,
                environmentId: deployment.environmentId)
            for try await line in try await reached.docker.buildImage(
                context: context, tags: ["\(repository):\(sha)"], labels: labels)
            {
                let text = line.text
                if !text.isEmpty { await log.line(text) }
            }
        }
        return .completed
    }

    /// Pushes each server's image into that server's registry; the digest goes on the deployment and each
    /// target's image is named by it, so a rollback runs exactly this image.
    func push(_ deployment: inout Deployment, _ log: DeploymentStepLog) async throws -> DeploymentRecorder.Outcome {
        let (project, sha) = try await resolvedCommit(deployment)
        for (server, indices) in try await servers(deployment) {
            let reached = try await instances.target(server)
            let repository = Self.repository(project: project, server: reached.server)
            var digest: String?
            for try await line in try await reached.docker.pushImage(repository, tag: sha) {
                digest = line.aux?.digest ?? digest
                let text = line.text
                if !text.isEmpty, line.progress == nil { await log.line(text) }
            }
            guard let digest else { throw DeploymentFailure("the registry did not answer a digest for \(repository)") }
            await log.line("\(reached.server.name): pushed \(repository)@\(digest)")
            for index in indices {
                deployment.targets[index].image = "\(repository)@\(digest)"
            }
            if deployment.imageDigest == nil { deployment.imageDigest = digest }
        }
        return .completed
    }

    /// The deployment's project and the commit the clone resolved.
    func resolvedCommit(_ deployment: Deployment) async throws -> (Project, String) {
        guard
            let project = try await store.project(organizationId: deployment.organizationId, id: deployment.projectId),
            let sha = deployment.commitSha
        else { throw DeploymentFailure("the commit is not resolved") }
        return (project, sha)
    }

    /// The image repository of a project in a server's registry.
    static func repository(project: Project, server: Server) -> String {
        "127.0.0.1:\(server.registryPort)/slipway/\(project.id.lowercased())"
    }

    /// The servers of the deployment's instances, each with the indices of its targets, in target order.
    func servers(_ deployment: Deployment) async throws -> [(instance: Instance, indices: [Int])] {
        var order: [String] = []
        var groups: [String: (Instance, [Int])] = [:]
        for (index, instance) in try await targetInstances(deployment) {
            if groups[instance.serverId] == nil {
                order.append(instance.serverId)
                groups[instance.serverId] = (instance, [])
            }
            groups[instance.serverId]?.1.append(index)
        }
        return order.compactMap { groups[$0] }
    }
}
