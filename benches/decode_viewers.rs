//! Decoding a 100,000-viewer Trovo answer into the model, beside serde_json's untyped parse
//! of the same bytes. The lenient typed decode should cost at most 1.5x the untyped parse.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// A viewers answer shaped like Trovo's: everyone in `all`, role groups naming some of them,
/// the misspelt `custome_roles`, the total as a string.
fn viewers_answer(n: usize) -> Vec<u8> {
    let scripts = ["viewer", "小龙", "별빛", "نور", "Ёлка", "さくら", "gamer🎮"];
    let names: Vec<String> = (0..n)
        .map(|i| format!("{}{}", scripts[i % scripts.len()], i))
        .collect();
    let group = |every: usize| -> Vec<&String> { names.iter().step_by(every).collect() };
    let body = serde_json::json!({
        "live_title": "bench",
        "total": n.to_string(),
        "nickname": "streamer",
        "chatters": {
            "all": { "viewers": names },
            "followers": { "viewers": group(2) },
            "subscribers": { "viewers": group(10) },
            "moderators": { "viewers": group(1000) },
            "VIPS": { "viewers": group(5000) },
            "editors": { "viewers": [] },
            "admins": { "viewers": [] },
            "supermods": { "viewers": [] },
            "wardens": { "viewers": [] },
            "ace": { "viewers": group(20_000) },
            "aceplus": { "viewers": [] },
            "creators": { "viewers": [] },
        },
        "custome_roles": { "Regulars": { "viewers": group(500) } },
        "total_page": 1,
        "cursor": 1,
    });
    serde_json::to_vec(&body).expect("the bench body serialises")
}

fn bench(c: &mut Criterion) {
    let bytes = viewers_answer(100_000);
    let mut g = c.benchmark_group("viewers_100k");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.sample_size(30);
    g.bench_function("typed_into_model", |b| {
        b.iter(|| {
            let list =
                stagehand::platform::trovo::decode_viewers(black_box(&bytes)).expect("decodes");
            black_box(list.viewers.len())
        })
    });
    g.bench_function("untyped_value", |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_json::from_slice(black_box(&bytes)).expect("parses");
            black_box(v)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
