//! temp
fn main() {
    let s = std::fs::read("/work/main/target/flight-bench/P1.response").unwrap();
    let n: usize = std::env::args().nth(1).map(|a| a.parse().unwrap()).unwrap_or(1000);
    let mut total = 0;
    for _ in 0..n {
        total += flight_codec::response::decode(&s, &Default::default()).unwrap().len();
    }
    println!("{total}");
}
