// A small fork-join pool on std::thread. The calling thread takes part in the work, so a
// pool of size 1 has no worker threads. parallel_for allocates nothing: a run of a compiled
// model calls it once per layer (batch 1) or once per run (batches). Workers spin briefly
// between calls before sleeping, so per-layer hand-offs stay in the microseconds, and the
// caller never waits for a worker that has not joined the call: on a busy machine it just
// does the work itself.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace octet {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(ctx, task, thread_index) for every task in [0, tasks), spread over the pool;
  // thread_index is in [0, size()) and unique among concurrently running calls, so it can
  // select per-thread scratch memory. Returns when all tasks are done. Not reentrant.
  using TaskFn = void (*)(void* ctx, int64_t task, int thread_index);
  void parallel_for(int64_t tasks, TaskFn fn, void* ctx);

  template <typename F>
  void parallel_for(int64_t tasks, F& f) {
    parallel_for(tasks, [](void* c, int64_t t, int i) { (*static_cast<F*>(c))(t, i); }, &f);
  }

 private:
  // One parallel_for call, on the caller's stack.
  struct Job {
    TaskFn fn;
    void* ctx;
    int64_t tasks;
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};
  };

  void worker_loop(int index);
  static void drain(Job& job, int thread_index);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<Job*> current_{nullptr};
  std::atomic<int> inside_{0};   // workers that may be reading *current_
  std::atomic<bool> stop_{false};
};

}  // namespace octet
