// Native image kernels of the preprocess stage (see image.cc).
#pragma once
#include <cstdint>
#include <vector>

// Binarizes a w x h gray image against per-cell thresholds: a pixel is ink (1) when darker than its
// cell's threshold, t[y * cells + x / cell].
void ds_threshold_cells(const uint8_t* gray, int w, int h, int cell, int cells, const int32_t* t, uint8_t* out);
// Every run of nonzero pixels in each row, in raster order, as triples y, start, end.
void ds_row_runs(const uint8_t* data, int w, int h, std::vector<int32_t>* runs);
// Every run of nonzero pixels down each column, listed by the row it ends at (in memory order; runs
// that reach the bottom last, by column), as triples x, start, end.
void ds_column_runs(const uint8_t* data, int w, int h, std::vector<int32_t>* runs);
// Otsu's histogram of a page divided by its paper: every `step`th row, each pixel times its cell's
// gain (gains[(y / step) * cells + x / cell], 16.16 fixed point) as JavaScript's (v * gain) >> 16,
// counted in hist[0..255] (over 255: 255; a product past 32 bits, negative: not counted).
void ds_paper_histogram(const uint8_t* gray, int w, int h, int cell, int cells, const int32_t* gains, int step, int32_t* hist);
// Sums of the gray levels of each cell x cell cell (ceil(w / cell) a row) over every `step`th row,
// added to sums; with a mask, only the pixels where it is 0, counted in counts (when given).
void ds_cell_sums(const uint8_t* gray, int w, int h, int cell, const uint8_t* mask, int step, double* sums, int32_t* counts);
// Samples chunks of rows of an image rotated about its centre (bilinear, 16.16 fixed point, as
// steps.ts's Rotation.sample) and thresholds them at one or two levels: chunk k is chunks[6k..6k+5]
// = y, x0, x1, fx, fy (the source of (x0, y)), t (tables[t + x / cell] the first level's threshold at
// x, tables[t + cells + x / cell] the second's); each output pixel steps the source by dx, dy.
void ds_rotate_threshold(const uint8_t* src, int w, int h, const int32_t* chunks, int n, int32_t dx, int32_t dy, int cell, int cells,
                         const int32_t* tables, uint8_t* out0, uint8_t* out1);
// Halves a w x h image of ch interleaved 8-bit channels (w and h even) into out (w/2 x h/2): the cubic
// (Catmull-Rom) kernel in 12-bit fixed point, down the columns and then along the rows, edges
// copied outwards: the same bytes as libvips' reduce by 2 with its cubic kernel (sharp's resize).
void ds_halve_cubic(const uint8_t* src, int w, int h, int ch, uint8_t* out);
// Labels the 8-connected components of a w x h image (nonzero = ink) into labels (0 = none, 1..n),
// numbered as OpenCV's connectedComponents numbers them (by the first 2 x 2 block holding their ink,
// in rows of blocks); stats gets left, top, width, height, area of each. Returns n.
int ds_label_components(const uint8_t* data, int w, int h, int32_t* labels, std::vector<int32_t>* stats);
