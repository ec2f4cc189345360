//! Image thumbnails (ours, beyond spec 13; PocketBase's `?thumb=` shape):
//! `WxH` crops the centre to exactly W×H, `WxHf` fits inside W×H keeping the
//! aspect ratio, `Wx0` / `0xH` scale to one side. Made of png, jpeg, webp and gif
//! sources (the first frame), once, then cached in the store. The decoder works
//! under hard limits so a small file that claims huge dimensions (a decompression
//! bomb) is refused instead of allocated.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

/// Largest side of a thumbnail.
pub const MAX_SIDE: u32 = 2048;
/// Largest side of a source image.
pub const MAX_SOURCE_SIDE: u32 = 10_000;
/// Largest decoder allocation.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;
/// Largest source file read for a thumbnail.
pub const MAX_SOURCE_BYTES: u64 = 50 * 1024 * 1024;

/// How a thumbnail is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Exactly W×H, the centre of the scaled image.
    Crop,
    /// Inside W×H, aspect ratio kept.
    Inside,
}

/// A parsed `thumb` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thumb {
    pub width: u32,
    pub height: u32,
    pub fit: Fit,
}

/// Why no thumbnail was made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ThumbError {
    #[error("thumb must be WxH, WxHf, Wx0 or 0xH with sides up to {MAX_SIDE}")]
    BadSize,
    #[error("Thumbnails are made of png, jpeg, webp and gif images only")]
    NotAnImage,
    #[error("Image too large to make a thumbnail of (at most {MAX_SOURCE_SIDE}×{MAX_SOURCE_SIDE} pixels, {MAX_SOURCE_BYTES} bytes)")]
    TooLarge,
    #[error("Image could not be decoded: {0}")]
    Undecodable(String),
}

impl Thumb {
    pub fn parse(s: &str) -> Result<Thumb, ThumbError> {
        let (body, fit) = match s.strip_suffix('f') {
            Some(b) => (b, Fit::Inside),
            None => (s, Fit::Crop),
        };
        let (w, h) = body.split_once('x').ok_or(ThumbError::BadSize)?;
        let side = |t: &str| -> Result<u32, ThumbError> {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ThumbError::BadSize);
            }
            t.parse::<u32>()
                .ok()
                .filter(|n| *n <= MAX_SIDE)
                .ok_or(ThumbError::BadSize)
        };
        let (width, height) = (side(w)?, side(h)?);
        if width == 0 && height == 0 {
            return Err(ThumbError::BadSize);
        }
        Ok(Thumb { width, height, fit })
    }

    /// The cache name, e.g. `100x80f`.
    pub fn name(&self) -> String {
        let f = if self.fit == Fit::Inside { "f" } else { "" };
        format!("{}x{}{f}", self.width, self.height)
    }
}

/// The format of a source the thumbnailer takes, by its stored MIME type.
pub fn source_format(mime: &str) -> Option<ImageFormat> {
    let essence = mime.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "image/png" => Some(ImageFormat::Png),
        "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(ImageFormat::Jpeg),
        "image/webp" => Some(ImageFormat::WebP),
        "image/gif" => Some(ImageFormat::Gif),
        _ => None,
    }
}

/// The MIME type of the thumbnails of a source of type `mime` (JPEG stays JPEG,
/// the rest become PNG); `None` when no thumbnail can be made of it.
pub fn thumb_mime(mime: &str) -> Option<&'static str> {
    source_format(mime).map(|f| {
        if f == ImageFormat::Jpeg {
            "image/jpeg"
        } else {
            "image/png"
        }
    })
}

/// Makes thumbnail `t` of `bytes` as `out` (JPEG or PNG, from [`thumb_mime`] of the
/// stored type, so a cached thumbnail is always served as the type it was made).
/// CPU-bound: call it on a blocking thread.
pub fn make(bytes: &[u8], t: Thumb, out: &str) -> Result<Vec<u8>, ThumbError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ThumbError::Undecodable(e.to_string()))?;
    let format = reader.format().ok_or(ThumbError::NotAnImage)?;
    if ![
        ImageFormat::Png,
        ImageFormat::Jpeg,
        ImageFormat::WebP,
        ImageFormat::Gif,
    ]
    .contains(&format)
    {
        return Err(ThumbError::NotAnImage);
    }
    // Dimensions come from the header: a bomb is refused before any allocation.
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| ThumbError::Undecodable(e.to_string()))?;
    if w > MAX_SOURCE_SIDE || h > MAX_SOURCE_SIDE {
        return Err(ThumbError::TooLarge);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_SIDE);
    limits.max_image_height = Some(MAX_SOURCE_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ThumbError::TooLarge,
        e => ThumbError::Undecodable(e.to_string()),
    })?;
    let small = resize(&img, t);
    let (fmt, small) = if out == "image/jpeg" {
        (ImageFormat::Jpeg, DynamicImage::ImageRgb8(small.to_rgb8()))
    } else {
        (ImageFormat::Png, small)
    };
    let mut buf = Cursor::new(Vec::new());
    small
        .write_to(&mut buf, fmt)
        .map_err(|e| ThumbError::Undecodable(e.to_string()))?;
    Ok(buf.into_inner())
}

fn resize(img: &DynamicImage, t: Thumb) -> DynamicImage {
    let (w, h) = (img.width().max(1), img.height().max(1));
    let scaled = |side: u32, of: u32, other: u32| -> u32 {
        ((u64::from(side) * u64::from(other)) / u64::from(of)).clamp(1, u64::from(MAX_SIDE)) as u32
    };
    match (t.width, t.height) {
        (0, th) => img.resize_exact(scaled(th, h, w), th, FilterType::Triangle),
        (tw, 0) => img.resize_exact(tw, scaled(tw, w, h), FilterType::Triangle),
        (tw, th) if t.fit == Fit::Inside => img.resize(tw, th, FilterType::Triangle),
        // Crop the centre to the target's aspect ratio first, then scale: scaling
        // first (`resize_to_fill`) would blow a 10000×1 strip up to gigabytes.
        (tw, th) => {
            let (cw, ch) = crop_box(w, h, tw, th);
            img.crop_imm((w - cw) / 2, (h - ch) / 2, cw, ch)
                .resize_exact(tw, th, FilterType::Triangle)
        }
    }
}

/// The largest box of the aspect ratio `tw`:`th` inside `w`×`h` (at least 1×1).
fn crop_box(w: u32, h: u32, tw: u32, th: u32) -> (u32, u32) {
    let (w64, h64, tw64, th64) = (u64::from(w), u64::from(h), u64::from(tw), u64::from(th));
    if w64 * th64 > h64 * tw64 {
        // Wider than the target: keep the height.
        (((h64 * tw64) / th64).clamp(1, w64) as u32, h)
    } else {
        (w, ((w64 * th64) / tw64).clamp(1, h64) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbImage};

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 7])
        });
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    /// A 1×1 PNG whose header claims `w`×`h` (checksum fixed, so it parses).
    pub fn bomb_png(w: u32, h: u32) -> Vec<u8> {
        let mut b = png(1, 1);
        b[16..20].copy_from_slice(&w.to_be_bytes());
        b[20..24].copy_from_slice(&h.to_be_bytes());
        let crc = crc32fast::hash(&b[12..29]);
        b[29..33].copy_from_slice(&crc.to_be_bytes());
        b
    }

    fn dims(bytes: &[u8]) -> (u32, u32) {
        let i = image::load_from_memory(bytes).unwrap();
        (i.width(), i.height())
    }

    #[test]
    fn sizes_parse_within_bounds() {
        assert_eq!(
            Thumb::parse("100x80"),
            Ok(Thumb {
                width: 100,
                height: 80,
                fit: Fit::Crop
            })
        );
        assert_eq!(Thumb::parse("100x80f").map(|t| t.fit), Ok(Fit::Inside));
        assert_eq!(Thumb::parse("0x50").map(|t| t.name()), Ok("0x50".into()));
        assert_eq!(Thumb::parse("2048x2048").map(|t| t.width), Ok(2048));
        assert_eq!(Thumb::parse("002048x1").map(|t| t.width), Ok(2048));
        for bad in [
            "",
            "x",
            "0x0",
            "100",
            "100x",
            "x100",
            "2049x1",
            "-1x5",
            "1x1x1",
            "+5x5",
            "5x5g",
            "99999999999x1",
        ] {
            assert_eq!(Thumb::parse(bad), Err(ThumbError::BadSize), "{bad}");
        }
    }

    #[test]
    fn thumbnails_have_the_asked_size() {
        let src = png(400, 200);
        let t = |s| make(&src, Thumb::parse(s).unwrap(), "image/png").unwrap();
        assert_eq!(dims(&t("100x100")), (100, 100));
        assert_eq!(dims(&t("100x100f")), (100, 50));
        assert_eq!(dims(&t("0x50")), (100, 50));
        assert_eq!(dims(&t("80x0")), (80, 40));
        assert_eq!(dims(&t("10x300")), (10, 300));
    }

    #[test]
    fn extreme_strips_are_cropped_before_scaling() {
        // Scaling first would need 20,480,000×2048 pixels.
        let strip = png(10_000, 1);
        let out = make(&strip, Thumb::parse("2048x2048").unwrap(), "image/png").unwrap();
        assert_eq!(dims(&out), (2048, 2048));
        assert_eq!(crop_box(10_000, 1, 2048, 2048), (1, 1));
        assert_eq!(crop_box(400, 200, 100, 100), (200, 200));
        assert_eq!(crop_box(200, 400, 100, 50), (200, 100));
        assert_eq!(crop_box(1, 10_000, 2048, 1), (1, 1));
    }

    #[test]
    fn jpeg_stays_jpeg() {
        let img = DynamicImage::ImageRgb8(RgbImage::new(64, 64));
        let mut buf = Cursor::new(Vec::new());
        img.write_to(&mut buf, ImageFormat::Jpeg).unwrap();
        let out = make(buf.get_ref(), Thumb::parse("16x16").unwrap(), "image/jpeg").unwrap();
        assert_eq!(image::guess_format(&out).unwrap(), ImageFormat::Jpeg);
        assert_eq!(dims(&out), (16, 16));
    }

    #[test]
    fn gif_and_webp_sources_become_png() {
        let img = DynamicImage::ImageRgba8(image::RgbaImage::new(40, 20));
        for fmt in [ImageFormat::Gif, ImageFormat::WebP] {
            let mut buf = Cursor::new(Vec::new());
            img.write_to(&mut buf, fmt).unwrap();
            let out = make(buf.get_ref(), Thumb::parse("0x10").unwrap(), "image/png").unwrap();
            assert_eq!(
                image::guess_format(&out).unwrap(),
                ImageFormat::Png,
                "{fmt:?}"
            );
            assert_eq!(dims(&out), (20, 10), "{fmt:?}");
        }
        assert_eq!(thumb_mime("image/webp"), Some("image/png"));
        assert_eq!(thumb_mime("image/jpeg; q=1"), Some("image/jpeg"));
        assert_eq!(thumb_mime("text/plain"), None);
    }

    #[test]
    fn bombs_and_non_images_are_refused() {
        // A valid PNG header that claims 50000×50000 pixels.
        assert_eq!(
            make(
                &bomb_png(50_000, 50_000),
                Thumb::parse("10x10").unwrap(),
                "image/png"
            ),
            Err(ThumbError::TooLarge)
        );
        assert!(matches!(
            make(
                &png(2, 2)[..40],
                Thumb::parse("10x10").unwrap(),
                "image/png"
            ),
            Err(ThumbError::Undecodable(_))
        ));
        assert_eq!(
            make(
                b"%PDF-1.4 not an image",
                Thumb::parse("10x10").unwrap(),
                "image/png"
            ),
            Err(ThumbError::NotAnImage)
        );
        assert_eq!(source_format("image/PNG"), Some(ImageFormat::Png));
        assert_eq!(source_format("image/gif"), Some(ImageFormat::Gif));
        assert_eq!(source_format("image/webp"), Some(ImageFormat::WebP));
        assert_eq!(source_format("image/jpg"), Some(ImageFormat::Jpeg));
        // One side too large is enough.
        for (w, h) in [(50_000, 1), (1, 50_000), (10_001, 10_000)] {
            assert_eq!(
                make(&bomb_png(w, h), Thumb::parse("10x10").unwrap(), "image/png"),
                Err(ThumbError::TooLarge),
                "{w}x{h}"
            );
        }
        assert_eq!(source_format("image/svg+xml"), None);
    }
}
