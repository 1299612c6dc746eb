//! ns per decision: `policy::iam` against Cedar, both pre-parsed, on the same questions
//! at 100 and 10,000 statements. `scripts/bench.sh` reads the estimates criterion writes
//! (target/criterion/iam-*/…) into BENCHMARKS.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use iam_bench::Workload;

fn evaluate(c: &mut Criterion) {
    for n in [100, 10_000] {
        let w = Workload::new(n);
        w.agree().expect("both engines answer alike");
        let mut group = c.benchmark_group(format!("iam-{n}"));
        for (i, q) in w.questions.iter().enumerate() {
            group.bench_function(format!("q{i}-ours"), |b| {
                b.iter(|| black_box(w.ours.evaluate(black_box(&q.ours)).allowed))
            });
            group.bench_function(format!("q{i}-cedar"), |b| {
                b.iter(|| black_box(w.cedar_allows(black_box(q))))
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = evaluate
}
criterion_main!(benches);
