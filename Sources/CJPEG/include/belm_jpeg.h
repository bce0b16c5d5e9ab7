#ifndef BELM_JPEG_H
#define BELM_JPEG_H

#include <stddef.h>

/// Decodes a JPEG held in memory to 8-bit interleaved pixels: 1 channel for greyscale files, 3 (RGB) for
/// everything else (YCbCr, CMYK is refused). On success returns 0 and sets *pixels (free it with
/// belm_jpeg_free), *width, *height and *channels. On failure returns -1 and writes libjpeg's message to
/// `message`; a warning about corrupt data (a truncated file, a bad Huffman code) returns -3 with its message.
/// When the header gives more than `max_pixels` pixels, returns -2 with *width and *height set, having
/// decoded nothing.
/// Nothing is left allocated on failure. libjpeg's default error handler calls exit(); this one jumps back
/// into belm_jpeg_decode with longjmp, which never crosses a Swift frame.
int belm_jpeg_decode(const unsigned char *data, size_t size, size_t max_pixels, unsigned char **pixels,
                     int *width, int *height, int *channels, char *message, size_t message_size);

void belm_jpeg_free(unsigned char *pixels);

#endif
