//! `mle`: see [`mle_cli::run`].
#![forbid(unsafe_code)]

fn main() {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = mle_cli::run(std::env::args_os(), &mut stdout) {
        eprintln!("mle: {e}");
        std::process::exit(e.exit_code());
    }
}
