//! The Sipuni request signature: `md5(v1 + "+" + … + "+" + vN + "+" + secret)`, where v1…vN
//! are the values of all request parameters except `hash` (including `user`), ordered by
//! parameter name in ASCII order; an empty value contributes an empty string; lowercase hex.

use md5::{Digest, Md5};

/// Signs `params` (name, value) with the integration `secret`. A parameter named `hash` is
/// ignored, so a full parameter list can be passed.
pub fn sign(params: &[(&str, &str)], secret: &str) -> String {
    let mut sorted: Vec<&(&str, &str)> =
        params.iter().filter(|(name, _)| *name != "hash").collect();
    // Byte order of the names is ASCII order; stable, so repeated names keep their order.
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = String::new();
    for (_, value) in sorted {
        text.push_str(value);
        text.push('+');
    }
    text.push_str(secret);
    hex::encode(Md5::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr3tK3y";

    #[test]
    fn call_number_example_from_the_reference() {
        // printf '%s' '0+79260000000+0+201+064629+s3cr3tK3y' | md5sum
        let params = [
            ("user", "064629"),
            ("phone", "79260000000"),
            ("sipnumber", "201"),
            ("reverse", "0"),
            ("antiaon", "0"),
        ];
        assert_eq!(sign(&params, SECRET), "dacc0b3e4649ec5ab72b5715b8dadec0");
    }

    #[test]
    fn call_tree_without_and_with_optional_parameters() {
        // printf '%s' '79260000000+201+000-913901+064629+s3cr3tK3y' | md5sum
        let short = [
            ("tree", "000-913901"),
            ("user", "064629"),
            ("sipnumber", "201"),
            ("phone", "79260000000"),
        ];
        assert_eq!(sign(&short, SECRET), "1899c63c939824b35fe54d1f8551923e");
        // callAttemptTime sorts first ('c' < 'p').
        // printf '%s' '45+79260000000+1+201+000-913901+064629+s3cr3tK3y' | md5sum
        let full = [
            ("phone", "79260000000"),
            ("sipnumber", "201"),
            ("tree", "000-913901"),
            ("reverse", "1"),
            ("callAttemptTime", "45"),
            ("user", "064629"),
        ];
        assert_eq!(sign(&full, SECRET), "d486e935a06b9415bbb087355d404124");
    }

    #[test]
    fn empty_values_count_and_hash_is_skipped() {
        // printf '%s' '++064629+s3cr3tK3y' | md5sum
        let params = [
            ("hash", "whatever"),
            ("b", ""),
            ("user", "064629"),
            ("a", ""),
        ];
        assert_eq!(sign(&params, SECRET), "d1c930b750096e33645977cc7a98ed4f");
    }

    #[test]
    fn values_are_hashed_as_sent() {
        let lower = sign(&[("id", "abc"), ("user", "064629")], SECRET);
        let upper = sign(&[("id", "ABC"), ("user", "064629")], SECRET);
        // printf '%s' 'abc+064629+s3cr3tK3y' | md5sum
        assert_eq!(lower, "d34e9a94adf3420e7c72e2f3d81e72d3");
        assert_ne!(lower, upper);
    }
}
