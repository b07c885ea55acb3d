// zlib (Debian's zlib1g-dev) for the PNG encoder: compress2 for IDAT, crc32 for chunk checksums.
#include <zlib.h>
