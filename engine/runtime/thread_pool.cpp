#include "engine/runtime/thread_pool.h"

#include <immintrin.h>

namespace octet {

namespace {
// How long an idle worker spins for the next parallel_for before it sleeps (~a few tens of
// microseconds): long enough to bridge the gap between two layers of one run, short enough
// not to steal a core from other work between runs.
constexpr int kSpinIterations = 20000;
}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::drain(Job& job, int thread_index) {
  for (;;) {
    const int64_t t = job.next.fetch_add(1, std::memory_order_relaxed);
    if (t >= job.tasks) return;
    job.fn(job.ctx, t, thread_index);
    job.done.fetch_add(1, std::memory_order_release);
  }
}

void ThreadPool::parallel_for(int64_t tasks, TaskFn fn, void* ctx) {
  if (tasks <= 0) return;
  if (workers_.empty() || tasks == 1) {
    for (int64_t t = 0; t < tasks; ++t) fn(ctx, t, 0);
    return;
  }
  Job job;
  job.fn = fn;
  job.ctx = ctx;
  job.tasks = tasks;
  current_.store(&job);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  drain(job, 0);
  // Close the job, then wait for the workers that joined it: those still running a task
  // and those between announcing themselves and reading current_ (both seq_cst, so either
  // the worker sees nullptr or this thread sees it inside).
  current_.store(nullptr);
  while (job.done.load(std::memory_order_acquire) < tasks || inside_.load() != 0) _mm_pause();
}

void ThreadPool::worker_loop(int index) {
  uint64_t seen = 0;   // the generation at construction: a late-starting thread must not miss a stop
  for (;;) {
    int spins = 0;
    while (generation_.load(std::memory_order_acquire) == seen && spins < kSpinIterations) {
      _mm_pause();
      ++spins;
    }
    if (generation_.load(std::memory_order_acquire) == seen) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
    }
    seen = generation_.load(std::memory_order_acquire);
    if (stop_.load()) return;
    inside_.fetch_add(1);
    if (Job* job = current_.load()) drain(*job, index);
    inside_.fetch_sub(1);
  }
}

}  // namespace octet
