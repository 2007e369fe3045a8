// The peers this binary was built with: bench/CMakeLists.txt compiles peer_<name>.cpp and
// defines OCTET_PEER_<NAME> for each library it found.
#include "bench/peers/gemm_peers.h"

namespace octet::bench {

#ifdef OCTET_PEER_OPENBLAS
extern const PeerLibrary openblas_peer;
#endif
#ifdef OCTET_PEER_ONEDNN
extern const PeerLibrary onednn_peer;
#endif

const std::vector<const PeerLibrary*>& peer_libraries() {
  static const std::vector<const PeerLibrary*> peers = [] {
    std::vector<const PeerLibrary*> v;
#ifdef OCTET_PEER_OPENBLAS
    v.push_back(&openblas_peer);
#endif
#ifdef OCTET_PEER_ONEDNN
    v.push_back(&onednn_peer);
#endif
    for (const PeerLibrary* p : v) p->init();
    return v;
  }();
  return peers;
}

}  // namespace octet::bench
