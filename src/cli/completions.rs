//! `tcgen completions SHELL`: clap's completion script, taught to complete distro names where a
//! command takes them (`build`, `publish`, `show`, `lock --update`). The names come from `tcgen list
//! --names` when the user presses tab, so they follow the spec of the folder they are in.

use std::io::Write;

use clap_complete::Shell;

use crate::error::{Error, Result};

/// The value name of every option that takes a distro, which the scripts below look for.
pub const DISTRO: &str = "DISTRO";
/// The ids of the positional arguments that take distros (`show DISTRO`, `build [DISTRO]...`).
const DISTRO_POSITIONALS: [&str; 2] = ["distro", "targets"];

/// Writes the completion script of `shell` for `command`.
pub fn write_script(shell: Shell, command: &mut clap::Command, out: &mut dyn Write) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, command, "tcgen", &mut script);
    let script = String::from_utf8_lossy(&script);
    let text = match shell {
        Shell::Bash => format!("{script}{BASH}"),
        Shell::Fish => format!("{script}{FISH}"),
        Shell::Zsh => zsh(&script),
        _ => script.into_owned(),
    };
    out.write_all(text.as_bytes()).map_err(Error::stdout)
}

/// bash: the generated function, then distro names after `build`, `publish`, `show` and
/// `--update`.
const BASH: &str = r#"
_tcgen_with_distros() {
    _tcgen "$@"
    local word=${COMP_WORDS[COMP_CWORD]} command=${COMP_WORDS[1]} previous=${COMP_WORDS[COMP_CWORD-1]}
    local spec=() i
    case "$word" in -*) return ;; esac
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} == --spec ]]; then spec=(--spec "${COMP_WORDS[i+1]}"); fi
    done
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in build|publish|show|lock) command=${COMP_WORDS[i]}; break ;; esac
    done
    # Distros only, after --update and where a command takes distros (not after an option
    # that takes a value of its own): no file names mixed in.
    if [[ $previous == --update || ( $command =~ ^(build|publish|show)$ && $previous != -* ) ]]; then
        COMPREPLY=($(compgen -W "$(tcgen "${spec[@]}" list --names 2>/dev/null)" -- "$word"))
    fi
}
complete -F _tcgen_with_distros -o bashdefault -o default tcgen
"#;

/// fish: distro names after `build`, `publish` and `show`.
const FISH: &str = r#"complete -c tcgen -n "__fish_tcgen_using_subcommand build; or __fish_tcgen_using_subcommand publish; or __fish_tcgen_using_subcommand show" -f -a "(tcgen list --names 2>/dev/null)" -d distro
"#;

/// Whether a line of zsh's `_arguments` specs describes an argument that takes distros.
fn takes_distros(line: &str) -> bool {
    line.contains(&format!(":{DISTRO}:"))
        || DISTRO_POSITIONALS.iter().any(|id| {
            line.starts_with(&format!("':{id} -- ")) || line.starts_with(&format!("'*::{id} -- "))
        })
}

/// zsh: every `DISTRO` argument completes through `_tcgen_distros`, defined before the script
/// runs its completion.
fn zsh(script: &str) -> String {
    let helper = "_tcgen_distros() {\n    local -a names spec\n    local i=${words[(I)--spec]}\n    (( i > 0 )) && spec=(--spec ${words[i+1]})\n    names=(${(f)\"$(tcgen $spec list --names 2>/dev/null)\"})\n    compadd -a names\n}\n\n";
    let script: String = script
        .split_inclusive('\n')
        .map(|line| match line.rfind(":_default") {
            Some(at) if takes_distros(line) => {
                format!(
                    "{}:_tcgen_distros{}",
                    &line[..at],
                    &line[at + ":_default".len()..]
                )
            }
            _ => line.to_owned(),
        })
        .collect();
    match script.find("\n_tcgen() {") {
        Some(at) => format!("{}\n{helper}{}", &script[..at], &script[at + 1..]),
        None => format!("{script}\n{helper}"),
    }
}
