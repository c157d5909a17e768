//! docker: builds with `docker buildx bake` from the generated bake file, and reaches
//! registries through `docker buildx imagetools`.

use super::{BuildCommands, BuildJob, CACHE_REGISTRY, Driver, RegistryLookup, program_from};
use crate::process::Invocation;

/// The docker engine, with the buildx plugin.
pub struct Docker;

impl Driver for Docker {
    fn program(&self) -> String {
        program_from("TCGEN_DOCKER", "docker")
    }

    /// `docker buildx bake` of one target. With a registry, only the digest tag is pushed.
    fn build(&self, job: &BuildJob) -> BuildCommands {
        let options = job.options;
        let mut args: Vec<String> = vec![
            "buildx".into(),
            "bake".into(),
            "-f".into(),
            format!("{}/bake.hcl", job.out()),
        ];
        if let Some(builder) = &options.builder {
            args.extend(["--builder".into(), builder.clone()]);
        }
        if let Some(progress) = &options.progress {
            args.extend(["--progress".into(), progress.clone()]);
        }
        for set in &options.set {
            args.extend(["--set".into(), set.clone()]);
        }
        if let Some(platform) = &options.platform {
            args.extend([
                "--set".into(),
                format!("{}.platform={platform}", job.distro.name),
            ]);
        }
        if options.registry.is_some() {
            args.extend([
                "--set".into(),
                format!("{}.tags={}", job.distro.name, job.push_tag),
                "--push".into(),
            ]);
        } else if !options.multi {
            args.push("--load".into());
        }
        args.extend([
            "--metadata-file".into(),
            job.metadata.to_string_lossy().into_owned(),
        ]);
        args.push(job.distro.name.clone());
        let mut bake = job.at_root(self.program(), args);
        bake.passes_env = job
            .distro
            .gated_args
            .iter()
            .map(|a| a.name.clone())
            .collect();
        bake.set_env = bake_variables(job);
        BuildCommands {
            prepare: Vec::new(),
            steps: vec![bake],
        }
    }

    fn lookup(&self, digest_tag: &str) -> RegistryLookup {
        RegistryLookup::Succeeds(self.inspect(digest_tag))
    }

    /// `--prefer-index=false`: with one source, imagetools otherwise wraps a single manifest
    /// in a new index, whose digest differs.
    fn copy_tag(&self, from: &str, to: &str) -> Invocation {
        Invocation::new(
            self.program(),
            [
                "buildx",
                "imagetools",
                "create",
                "--prefer-index=false",
                "-t",
                to,
                from,
            ]
            .map(String::from)
            .to_vec(),
        )
    }

    fn merge(&self, sources: &[String], target: &str) -> BuildCommands {
        let step = match sources {
            [one] => self.copy_tag(one, target),
            _ => {
                let mut args: Vec<String> = ["buildx", "imagetools", "create", "-t", target]
                    .map(String::from)
                    .to_vec();
                args.extend(sources.iter().cloned());
                Invocation::new(self.program(), args)
            }
        };
        BuildCommands {
            prepare: Vec::new(),
            steps: vec![step],
        }
    }

    /// The configuration, or for a manifest list a map of them by platform.
    fn config(&self, image: &str) -> Invocation {
        Invocation::new(
            self.program(),
            [
                "buildx",
                "imagetools",
                "inspect",
                "--format",
                "{{json .Image}}",
                image,
            ]
            .map(String::from)
            .to_vec(),
        )
    }

    /// Prints the index or manifest's `Digest:` among other lines.
    fn inspect(&self, image: &str) -> Invocation {
        Invocation::new(
            self.program(),
            ["buildx", "imagetools", "inspect", image]
                .map(String::from)
                .to_vec(),
        )
    }

    fn digest_of(&self, output: &[u8]) -> String {
        String::from_utf8_lossy(output)
            .lines()
            .find_map(|line| {
                line.trim()
                    .strip_prefix("Digest:")
                    .map(|d| d.trim().to_owned())
            })
            .unwrap_or_default()
    }
}

/// The bake file's variables a job sets: the cache and image registries, MULTI, REVISION.
fn bake_variables(job: &BuildJob) -> Vec<(String, String)> {
    let options = job.options;
    let mut variables = Vec::new();
    if let Some(cache) = job.cache {
        // The bake file appends "/<image>", so the variable goes without a trailing slash.
        variables.push((CACHE_REGISTRY.to_owned(), cache.to_owned()));
    }
    if let Some(registry) = &options.registry {
        variables.push(("REGISTRY".into(), format!("{registry}/")));
    }
    if options.multi {
        variables.push(("MULTI".into(), "true".into()));
    }
    if let Some(revision) = &options.revision {
        variables.push(("REVISION".into(), revision.clone()));
    }
    variables
}
