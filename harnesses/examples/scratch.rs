use gauntlet_harnesses::regex::{HARDENED, VULNERABLE, DIFFERENTIAL};
fn main() {
    for e in std::fs::read_dir("corpora/reproducers/regex").unwrap() {
        let p = e.unwrap().path();
        let i = std::fs::read(&p).unwrap();
        let t = std::time::Instant::now();
        let v = VULNERABLE.check(&i);
        let el = t.elapsed();
        println!("{}\n  v={} {:?} {:?}\n  h={:?}\n  d={:?}", p.display(), v.status(), v.finding().map(|f| &f.summary).or(Some(&format!("{:?}", v))), el, HARDENED.check(&i), DIFFERENTIAL.check(&i).status());
    }
}
