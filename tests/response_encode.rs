//! Encoding against React: for every vector in `spec/vectors/response/` built
//! from a value, the response encoder, driven through the vector's schedule,
//! must write the production stream React 19.3.1 wrote: the same bytes in the
//! same network chunks. Since the bytes are React's, React's client reads
//! our streams back to exactly what the vector records it decoded.
//!
//! Vectors whose value holds a server component (`{"component": …}`, a
//! JavaScript function React calls while rendering) cannot be encoded from a
//! value; they are counted, and there must be no other skip.

mod common;

use base64::Engine as _;
use common::{load_vectors, respond, B64};

#[test]
fn encode_matches_react() {
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut components = 0;
    for (name, v) in load_vectors("response") {
        let Some(value) = v.get("value") else { continue };
        if value.compact().contains("{\"component\":") {
            components += 1;
            continue;
        }
        let temp = v
            .get("options")
            .and_then(|o| o.get("temporaryReferences"))
            .is_some_and(|t| matches!(t, common::Json::Bool(true)));
        let want: Vec<Vec<u8>> =
            v.get("prod").unwrap().get("chunks").unwrap().arr().iter().map(|c| B64.decode(c.text()).unwrap()).collect();
        let got = match respond::render(&value.compact(), v.get("schedule"), temp) {
            Ok(steps) => steps.into_iter().flatten().map(|b| b.to_vec()).collect::<Vec<_>>(),
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        checked += 1;
        if got != want {
            let show = |c: &[Vec<u8>]| {
                c.iter().map(|b| String::from_utf8_lossy(b).chars().take(300).collect::<String>()).collect::<Vec<_>>()
            };
            failures.push(format!("{name}:\n   got  {:?}\n   want {:?}", show(&got), show(&want)));
        }
    }
    eprintln!("{checked} vectors encoded; {components} hold server components");
    assert!(checked >= 190, "only {checked} vectors encoded");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
