// Portable int8 max pool (kernels/int8/maxpool.h): the variant for CPUs without AVX2, the
// reference loop (kernels/reference/qmaxpool.h) itself.
#include "kernels/int8/maxpool.h"
#include "kernels/kernels.h"
#include "kernels/reference/qmaxpool.h"

namespace octet::kernels {

const QMaxPoolU8Kernel qu8_maxpool_nhwc_scalar = {"qu8_maxpool_nhwc_scalar", &max_pool_qu8_nhwc_ref};

}  // namespace octet::kernels
