// Rows of an image computed band by band into one buffer, where a band's first rows are the
// last rows of the band before (the halo a window reaches back into): the rows the buffer
// already holds move to its front instead of being computed again. The conv chain's expand
// stage (conv_chain_f32.h) and the conv -> max pool step's conv stage (conv_pool_f32.h) fill
// their band buffers so.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace octet {

class HeldRows {
 public:
  // The buffer is to hold rows [lo, hi), `row_floats` floats each, from its start; bands come
  // in increasing order. Moves the rows the previous band left there that [lo, hi) shares to
  // the front and returns the first row still to compute (into band + (row - lo) * row_floats);
  // hi or more when none is.
  int32_t keep(float* band, size_t row_floats, int32_t lo, int32_t hi) {
    int32_t from = lo;
    if (lo >= lo_ && lo < hi_) {
      std::memmove(band, band + static_cast<size_t>(lo - lo_) * row_floats,
                   static_cast<size_t>(hi_ - lo) * row_floats * sizeof(float));
      from = hi_;
    }
    lo_ = lo;
    hi_ = hi;
    return from;
  }

 private:
  int32_t lo_ = 0, hi_ = 0;   // the rows the buffer holds
};

}  // namespace octet
