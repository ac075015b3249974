//! A tiny MP3 writer for the simulator's call recordings.
//!
//! It writes a constant-bitrate MPEG-1 Layer III stream (32 kHz, mono, 32 kbit/s: 144-byte
//! frames of 1152 samples) whose spectrum it sets directly instead of analysing audio: each
//! granule (576 samples, 18 ms) is either silent or holds one spectral line, which a decoder
//! turns into a tone. Lines are chosen in the middle of a polyphase subband (index 8 or 9 of
//! 18) where the decoder's alias-reduction butterflies do not reach, so each tone stays clean.
//! A pattern of such tones makes a recording that sounds like two people taking turns, or a
//! ringback tone. Every granule uses no scale factors, Huffman table 1 and no bit reservoir,
//! so each frame stands alone and any MP3 decoder (browsers, GStreamer) plays the stream.

/// Output sample rate.
pub const SAMPLE_RATE: u32 = 32_000;
/// Samples per granule (two per frame).
const GRANULE_SAMPLES: u64 = 576;
/// Bytes per frame: 144 × bitrate / sample rate.
const FRAME_BYTES: usize = 144;
/// Header: sync, MPEG-1, Layer III, no CRC; 32 kbit/s, 32 kHz, no padding; mono, original.
const HEADER: [u8; 4] = [0xFF, 0xFB, 0x18, 0xC4];
/// Side information of a mono MPEG-1 frame.
const SIDE_INFO_BYTES: usize = 17;
/// `global_gain` of a tone: about a quarter of full scale.
const TONE_GAIN: u32 = 202;

/// What a recording sounds like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    /// Two voices taking turns, the pattern drawn from `seed`.
    Conversation {
        /// Seed of the pattern.
        seed: u64,
    },
    /// The ringback tone: one second on, four off.
    Ringback,
}

/// A spectral line (0..576) sounding in a granule.
type Tone = Option<usize>;

/// Lines used: ≈236 Hz and ≈764 Hz voices, ≈264 Hz ringback.
const LOW_VOICE: usize = 8;
const HIGH_VOICE: usize = 27;
const RINGBACK: usize = 9;

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn pattern(voice: Voice, granules: u64) -> Vec<Tone> {
    let mut tones = Vec::with_capacity(usize::try_from(granules).unwrap_or(0));
    match voice {
        Voice::Ringback => {
            // 1 s on (56 granules), 4 s off (222 granules).
            for g in 0..granules {
                tones.push((g % 278 < 56).then_some(RINGBACK));
            }
        }
        Voice::Conversation { seed } => {
            let mut rng = SplitMix(seed);
            let mut speaker = LOW_VOICE;
            while (tones.len() as u64) < granules {
                let talk = rng.range(15, 70);
                let pause = rng.range(4, 14);
                for _ in 0..talk {
                    tones.push(Some(speaker));
                }
                for _ in 0..pause {
                    tones.push(None);
                }
                speaker = if speaker == LOW_VOICE {
                    HIGH_VOICE
                } else {
                    LOW_VOICE
                };
            }
            tones.truncate(usize::try_from(granules).unwrap_or(0));
        }
    }
    tones
}

/// MSB-first bit writer.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    used: u32,
}

impl Bits {
    fn put(&mut self, value: u32, width: u32) {
        for i in (0..width).rev() {
            if self.used == 0 {
                self.bytes.push(0);
            }
            let bit = u8::from((value >> i) & 1 == 1);
            if let Some(last) = self.bytes.last_mut() {
                *last |= bit << (7 - self.used);
            }
            self.used = (self.used + 1) % 8;
        }
    }

    fn len_bits(&self) -> usize {
        if self.used == 0 {
            self.bytes.len() * 8
        } else {
            (self.bytes.len() - 1) * 8 + self.used as usize
        }
    }
}

/// Huffman-codes one granule's spectrum (table 1 for every region, no count1 quadruples)
/// into `main`; returns `(part2_3_length, big_values)`.
fn code_granule(tone: Tone, main: &mut Bits) -> (u32, u32) {
    let Some(line) = tone else {
        return (0, 0);
    };
    let start = main.len_bits();
    let pairs = line / 2 + 1;
    for pair in 0..pairs {
        if pair + 1 < pairs {
            main.put(0b1, 1); // (0, 0)
        } else if line % 2 == 0 {
            main.put(0b01, 2); // (1, 0)
            main.put(0, 1); // sign of x: positive
        } else {
            main.put(0b001, 3); // (0, 1)
            main.put(0, 1); // sign of y: positive
        }
    }
    let used = u32::try_from(main.len_bits() - start).unwrap_or(0);
    (used, u32::try_from(pairs).unwrap_or(0))
}

fn side_granule(side: &mut Bits, tone: Tone, part2_3_length: u32, big_values: u32) {
    let table = u32::from(tone.is_some());
    side.put(part2_3_length, 12);
    side.put(big_values, 9);
    side.put(if tone.is_some() { TONE_GAIN } else { 0 }, 8);
    side.put(0, 4); // scalefac_compress: no scale factors
    side.put(0, 1); // window_switching_flag: long blocks
    for _ in 0..3 {
        side.put(table, 5); // table_select
    }
    side.put(7, 4); // region0_count
    side.put(7, 3); // region1_count
    side.put(0, 1); // preflag
    side.put(0, 1); // scalefac_scale
    side.put(0, 1); // count1table_select
}

fn frame(tones: [Tone; 2]) -> Vec<u8> {
    let mut main = Bits::default();
    let coded = tones.map(|tone| code_granule(tone, &mut main));
    let mut side = Bits::default();
    side.put(0, 9); // main_data_begin: no bit reservoir
    side.put(0, 5); // private_bits
    side.put(0, 4); // scfsi
    for (tone, (length, big_values)) in tones.into_iter().zip(coded) {
        side_granule(&mut side, tone, length, big_values);
    }
    let mut out = Vec::with_capacity(FRAME_BYTES);
    out.extend_from_slice(&HEADER);
    out.extend_from_slice(&side.bytes);
    debug_assert_eq!(side.bytes.len(), SIDE_INFO_BYTES);
    out.extend_from_slice(&main.bytes);
    out.resize(FRAME_BYTES, 0);
    out
}

/// Encodes `seconds` of `voice` (at least one second, at most an hour).
pub fn encode(voice: Voice, seconds: u32) -> Vec<u8> {
    let seconds = u64::from(seconds.clamp(1, 3600));
    let granules = (seconds * u64::from(SAMPLE_RATE)).div_ceil(GRANULE_SAMPLES);
    let granules = granules + granules % 2;
    let tones = pattern(voice, granules);
    let mut out = Vec::with_capacity(tones.len() / 2 * FRAME_BYTES);
    for pair in tones.chunks(2) {
        out.extend(frame([pair[0], pair.get(1).copied().flatten()]));
    }
    out
}

/// Duration in milliseconds of an encoded stream of `bytes` bytes.
pub fn duration_ms(bytes: usize) -> u64 {
    (bytes / FRAME_BYTES) as u64 * 2 * GRANULE_SAMPLES * 1000 / u64::from(SAMPLE_RATE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_have_the_right_size_and_header() {
        let mp3 = encode(Voice::Conversation { seed: 1 }, 3);
        assert_eq!(mp3.len() % FRAME_BYTES, 0);
        assert!(mp3.chunks(FRAME_BYTES).all(|f| f[..4] == HEADER));
        let ms = duration_ms(mp3.len());
        assert!((3000..3100).contains(&ms), "{ms}");
    }

    #[test]
    fn a_granule_codes_one_line() {
        let mut bits = Bits::default();
        assert_eq!(code_granule(Some(27), &mut bits), (13 + 4, 14));
        let mut bits = Bits::default();
        assert_eq!(code_granule(Some(8), &mut bits), (4 + 3, 5));
        assert_eq!(code_granule(None, &mut bits), (0, 0));
    }
}
