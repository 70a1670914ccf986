// The baseline of the API benchmarks: a cpprestsdk listener whose handler answers a constant.
// Whatever helpdeskd does per request is measured against this in the same run.
#include <cpprest/http_listener.h>
#include <pplx/threadpool.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: bench_baseline HOST:PORT\n";
    return 2;
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  // The same pool size as helpdeskd's listener (api/http_listener.cc), so only the work differs.
  const char* threads = std::getenv("HELPDESK_HTTP_THREADS");
  crossplat::threadpool::initialize_with_threads(threads ? std::strtoul(threads, nullptr, 10) : 16);
  web::http::experimental::listener::http_listener listener(std::string("http://") + argv[1]);
  listener.support([](web::http::http_request request) {
    request.reply(web::http::status_codes::OK, std::string("{\"items\":[],\"next_cursor\":null}"),
                  "application/json; charset=utf-8");
  });
  listener.open().wait();
  std::cout << "listening on http://" << argv[1] << std::endl;
  int sig = 0;
  sigwait(&stop, &sig);
  listener.close().wait();
  return 0;
}
