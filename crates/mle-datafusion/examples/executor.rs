//! A Ballista executor with mle's aggregates registered, for a real cluster:
//!
//! ```text
//! cargo run --release -p mle-datafusion --features ballista --example executor -- \
//!     [SCHEDULER_HOST=localhost] [SCHEDULER_PORT=50050] [PORT=50051] [GRPC_PORT=50052]
//! ```
//!
//! The aggregates are generic (the model travels in a literal of each query), so this one
//! binary runs every fit of the built-in families. A custom model — a family or kernel of
//! your own — must be compiled into the executor (and the scheduler) the same way: its code
//! runs where the rows are.

use std::sync::Arc;

use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.to_string());
    let mut registry = BallistaFunctionRegistry::default();
    for f in mle_datafusion::aggregate_functions() {
        registry.aggregate_functions.insert(f.name().to_string(), f);
    }
    let config = ExecutorProcessConfig {
        scheduler_host: arg(0, "localhost"),
        scheduler_port: arg(1, "50050").parse()?,
        port: arg(2, "50051").parse()?,
        grpc_port: arg(3, "50052").parse()?,
        override_function_registry: Some(Arc::new(registry)),
        ..ExecutorProcessConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(start_executor_process(Arc::new(config)))?;
    Ok(())
}
