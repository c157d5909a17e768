//! podman: builds with `podman build` one target at a time, and reaches registries through
//! skopeo.

use super::{BuildCommands, BuildJob, Driver, REVISION_LABEL, RegistryLookup, program_from};
use crate::hash::sha256_hex;
use crate::process::Invocation;

/// The podman engine, with skopeo.
pub struct Podman;

impl Podman {
    /// skopeo, which copies and inspects images in registries, or `TCGEN_SKOPEO`.
    fn skopeo(&self) -> String {
        program_from("TCGEN_SKOPEO", "skopeo")
    }

    /// `podman build` of one target into `tags`, or with `--multi` into a manifest list of every
    /// platform of the distro.
    fn build_command(&self, job: &BuildJob, manifest: &str) -> Invocation {
        let distro = job.distro;
        let out = job.out();
        let mut args: Vec<String> = vec![
            "build".into(),
            "-f".into(),
            format!("{out}/{}.Dockerfile", distro.name),
        ];
        if job.options.multi {
            args.extend([
                "--platform".into(),
                distro.platforms.join(","),
                "--manifest".into(),
                manifest.to_owned(),
            ]);
        } else {
            if let Some(platform) = &job.options.platform {
                args.extend(["--platform".into(), platform.clone()]);
            }
            for tag in [job.tag, job.push_tag] {
                args.extend(["-t".into(), tag.to_owned()]);
            }
        }
        if let Some(cache) = job.cache {
            // buildah keeps one cache image per layer in this repository, tagged by layer key.
            let repository = format!("{cache}/{}-buildcache", distro.image);
            args.extend([
                "--layers".into(),
                "--cache-from".into(),
                repository.clone(),
                "--cache-to".into(),
                repository,
            ]);
        }
        let labels = [
            ("org.opencontainers.image.title", distro.image.as_str()),
            ("org.opencontainers.image.source", job.source),
            ("dev.tcgen.input-digest", job.input_digest),
        ];
        let revision = job.options.revision.as_deref().map(|r| (REVISION_LABEL, r));
        for (key, value) in labels.into_iter().chain(revision) {
            args.extend(["--label".into(), format!("{key}={value}")]);
        }
        for arg in &distro.gated_args {
            args.extend(["--build-arg".into(), arg.name.clone()]);
        }
        args.extend([
            "--iidfile".into(),
            job.metadata.to_string_lossy().into_owned(),
        ]);
        args.push(format!("{out}/context"));
        let mut build = job.at_root(self.program(), args);
        build.passes_env = distro.gated_args.iter().map(|a| a.name.clone()).collect();
        build
    }
}

impl Driver for Podman {
    fn program(&self) -> String {
        program_from("TCGEN_PODMAN", "podman")
    }

    /// The build, then with a registry `podman push` of the digest tag (or `manifest push
    /// --all` of the manifest list, with all its images).
    fn build(&self, job: &BuildJob) -> BuildCommands {
        let registry = job.options.registry.is_some();
        let manifest = if registry { job.push_tag } else { job.tag };
        let mut commands = BuildCommands::default();
        let step = |args: &[&str]| {
            job.at_root(
                self.program(),
                args.iter().map(|a| (*a).to_owned()).collect(),
            )
        };
        // A manifest list keeps what is added to it: each build starts from a new one. podman
        // 4.3 removes a manifest list with `manifest rm` only, which fails when there is none.
        if job.options.multi {
            commands.prepare.push(step(&["manifest", "rm", manifest]));
        }
        commands.steps.push(self.build_command(job, manifest));
        if registry {
            // The digest file, over the image id `build` wrote, gets the digest of what the
            // registry holds: the one the summary shows and the name tag gets.
            let digest_file = job.metadata.to_string_lossy();
            let pushed = format!("docker://{}", job.push_tag);
            commands.steps.push(if job.options.multi {
                step(&[
                    "manifest",
                    "push",
                    "--all",
                    "--digestfile",
                    &digest_file,
                    job.push_tag,
                    &pushed,
                ])
            } else {
                step(&["push", "--digestfile", &digest_file, job.push_tag])
            });
        }
        commands
    }

    fn lookup(&self, digest_tag: &str) -> RegistryLookup {
        let (repository, tag) = digest_tag.rsplit_once(':').unwrap_or((digest_tag, ""));
        RegistryLookup::ListsTag {
            invocation: Invocation::new(
                self.program(),
                ["search", "--list-tags", "--limit", "1000000", repository]
                    .map(String::from)
                    .to_vec(),
            ),
            tag: tag.to_owned(),
        }
    }

    fn copy_tag(&self, from: &str, to: &str) -> Invocation {
        Invocation::new(
            self.skopeo(),
            vec![
                "copy".into(),
                "--all".into(),
                "--preserve-digests".into(),
                format!("docker://{from}"),
                format!("docker://{to}"),
            ],
        )
    }

    /// A manifest list made locally from the sources' manifests (`manifest add` reads them from
    /// the registry, no layers), pushed with every image it names.
    fn merge(&self, sources: &[String], target: &str) -> BuildCommands {
        if let [one] = sources {
            return BuildCommands {
                prepare: Vec::new(),
                steps: vec![self.copy_tag(one, target)],
            };
        }
        let podman = |args: &[&str]| {
            Invocation::new(
                self.program(),
                args.iter().map(|a| (*a).to_owned()).collect(),
            )
        };
        let mut steps = vec![podman(&["manifest", "create", target])];
        for source in sources {
            steps.push(podman(&[
                "manifest",
                "add",
                target,
                &format!("docker://{source}"),
            ]));
        }
        steps.push(podman(&[
            "manifest",
            "push",
            "--all",
            target,
            &format!("docker://{target}"),
        ]));
        BuildCommands {
            // A list left by an earlier merge keeps what was added to it.
            prepare: vec![podman(&["manifest", "rm", target])],
            steps,
        }
    }

    /// The configuration of the image for this machine's platform (of a manifest list, every
    /// image carries the same commit).
    fn config(&self, image: &str) -> Invocation {
        Invocation::new(
            self.skopeo(),
            vec![
                "inspect".into(),
                "--config".into(),
                format!("docker://{image}"),
            ],
        )
    }

    /// Prints the manifest (list) exactly as the registry serves it: its sha256 is its digest.
    fn inspect(&self, image: &str) -> Invocation {
        Invocation::new(
            self.skopeo(),
            vec![
                "inspect".into(),
                "--raw".into(),
                format!("docker://{image}"),
            ],
        )
    }

    fn digest_of(&self, output: &[u8]) -> String {
        format!("sha256:{}", sha256_hex(output))
    }
}
