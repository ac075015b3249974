//! The simulator's MP3 recordings decode with an independent decoder (symphonia) into
//! audible tones of the expected length and pitch.

use symphonia::core::{
    audio::SampleBuffer, codecs::DecoderOptions, errors::Error, formats::FormatOptions,
    io::MediaSourceStream, meta::MetadataOptions, probe::Hint,
};
use trubka_sim::mp3::{self, Voice};

/// Decodes MP3 bytes into mono samples and the sample rate.
fn decode(bytes: Vec<u8>) -> (Vec<f32>, u32) {
    let source = MediaSourceStream::new(Box::new(std::io::Cursor::new(bytes)), Default::default());
    let mut hint = Hint::new();
    hint.with_extension("mp3");
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            source,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .expect("an MP3 stream");
    let mut format = probed.format;
    let track = format.default_track().expect("a track").clone();
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .expect("an MP3 decoder");
    let rate = track.codec_params.sample_rate.expect("a sample rate");
    let mut samples = Vec::new();
    loop {
        let packet = match format.next_packet() {
            Ok(packet) => packet,
            Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => panic!("demux error: {e}"),
        };
        let decoded = decoder.decode(&packet).expect("a decodable frame");
        let mut buffer = SampleBuffer::<f32>::new(decoded.capacity() as u64, *decoded.spec());
        buffer.copy_interleaved_ref(decoded);
        samples.extend_from_slice(buffer.samples());
    }
    (samples, rate)
}

/// Power of `freq` in `samples` (Goertzel).
fn power(samples: &[f32], rate: u32, freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &x in samples {
        let s = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    (s1 * s1 + s2 * s2 - coeff * s1 * s2) / samples.len() as f64
}

#[test]
fn conversation_decodes_to_audible_tones_of_the_right_length() {
    let (samples, rate) = decode(mp3::encode(Voice::Conversation { seed: 7 }, 12));
    assert_eq!(rate, mp3::SAMPLE_RATE);
    let seconds = samples.len() as f64 / f64::from(rate);
    assert!((11.9..12.2).contains(&seconds), "{seconds} s");
    let peak = samples.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let rms =
        (samples.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / samples.len() as f64).sqrt();
    eprintln!("peak {peak} rms {rms}");
    assert!(peak > 0.05 && peak < 1.0, "peak {peak}");
    assert!(rms > 0.01, "rms {rms}");
    // The two voices sit at ≈236 Hz and ≈764 Hz; far away there is little energy.
    let low = power(&samples, rate, 236.1);
    let high = power(&samples, rate, 763.9);
    let off = power(&samples, rate, 3000.0);
    eprintln!("low {low} high {high} off {off}");
    assert!(
        low > 20.0 * off && high > 20.0 * off,
        "low {low} high {high} off {off}"
    );
}

#[test]
fn ringback_is_a_tone_that_stops() {
    let (samples, rate) = decode(mp3::encode(Voice::Ringback, 5));
    let second = rate as usize;
    let on = &samples[second / 4..second * 3 / 4];
    let off = &samples[second * 2..second * 4];
    let energy = |s: &[f32]| s.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / s.len() as f64;
    assert!(energy(on) > 1e-3, "{}", energy(on));
    assert!(energy(off) < 1e-6, "{}", energy(off));
}
