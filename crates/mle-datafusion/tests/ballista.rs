//! A Ballista standalone cluster (scheduler and executor in-process, gRPC on localhost) with
//! the aggregates registered fits to 1e-10 of the in-memory fit.

mod common;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::execution::FunctionRegistry;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use mle_data::{Family, FormulaFit, FormulaOptions};
use mle_datafusion::{fit_datafusion, DataFusionOptions};
use mle_stream::StreamFamily;

#[test]
fn ballista_standalone_fit_agrees_with_in_memory() {
    let table = common::table(8_000, 3);
    let dir = common::parquet_dir("ballista", &table, 2, 1_000);
    // The cluster's tasks run on this runtime, kept alive while the driver (outside it)
    // blocks on its own.
    let cluster = tokio::runtime::Runtime::new().unwrap();
    let ctx: SessionContext = cluster.block_on(async {
        let config = SessionConfig::new_with_ballista().with_target_partitions(2);
        let mut state = SessionStateBuilder::new()
            .with_config(config)
            .with_default_features()
            .build();
        for f in mle_datafusion::aggregate_functions() {
            state.register_udaf(f).unwrap();
        }
        let ctx = SessionContext::standalone_with_state(state).await.unwrap();
        ctx.register_parquet("t", dir.to_str().unwrap(), ParquetReadOptions::default())
            .await
            .unwrap();
        // Queries go to the scheduler: the plan is Ballista's distributed one.
        let plan = ctx
            .table("t")
            .await
            .unwrap()
            .create_physical_plan()
            .await
            .unwrap();
        assert_eq!(plan.name(), "DistributedQueryExec");
        ctx
    });
    for (f, family, stream) in [
        ("yb ~ x1 + x2 + g", Family::Binomial, StreamFamily::Binomial),
        (
            "yn ~ x2 + g + offset(log(t))",
            Family::NegativeBinomial,
            StreamFamily::NegativeBinomial,
        ),
    ] {
        let memory = FormulaFit::fit(f, &table, family, FormulaOptions::default()).unwrap();
        let fit = fit_datafusion(&ctx, "t", f, stream, &DataFusionOptions::default()).unwrap();
        common::compare(&fit.fit, &memory);
    }
}
