// How NVRTC compiles scale with threads in one process, for bench/compile_scaling/run.sh.
//   nvrtc_scaling THREADS PER_THREAD OFFSET [NVRTC options...]
// compiles THREADS x PER_THREAD distinct rmsnorm configs (numbered from OFFSET)
// on THREADS threads and prints kernels/s. Run several with THREADS = 1 to
// measure processes. Built here (no GPU needed), carried to the GPU machine:
//   g++ -O2 bench/compile_scaling/nvrtc_scaling.cpp -I/usr/local/cuda/include -L/usr/local/cuda/lib64 \
//       -lnvrtc -lpthread -o .carry/probe/nvrtc_scaling
#include <nvrtc.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <chrono>
std::string rd(const char* p){std::ifstream f(p);std::stringstream s;s<<f.rdbuf();return s.str();}
int main(int argc,char**argv){
  int T=atoi(argv[1]), per=atoi(argv[2]), off=atoi(argv[3]);
  const char* dir=getenv("TKSRC");
  std::string src=rd((std::string(dir)+"/templates/rmsnorm/rmsnorm.cu").c_str()), hdr=rd((std::string(dir)+"/templates/include/tkbench/common.cuh").c_str());
  std::vector<std::string> extra; for(int i=4;i<argc;i++) extra.push_back(argv[i]);
  std::string inc=std::string("-I")+(getenv("CUDA_INC")?getenv("CUDA_INC"):"/usr/local/cuda/include");
  std::vector<double> ms(T*per); int fails=0;
  auto t0=std::chrono::steady_clock::now();
  std::vector<std::thread> th;
  for(int t=0;t<T;t++) th.emplace_back([&,t]{
    for(int k=0;k<per;k++){
      int g=off+t*per+k; int thr[]={32,64,128,256,512,1024}; int it[]={1,2,4,8,16}; int vec[]={2,4,8};
      char ne[256]; snprintf(ne,256,"tkb::rmsnorm<__nv_bfloat16, %d, %d, 1, %d, %d, __nv_bfloat16, 1, 1, 0, 1>", vec[g%3], thr[(g/3)%6], it[(g/18)%5], (g/90)%3);
      const char* hs[]={hdr.c_str()}; const char* hn[]={"tkbench/common.cuh"};
      auto a=std::chrono::steady_clock::now();
      nvrtcProgram p; nvrtcCreateProgram(&p,src.c_str(),"rmsnorm.cu",1,hs,hn); nvrtcAddNameExpression(p,ne);
      std::vector<const char*> o={"--gpu-architecture=sm_90","-std=c++17","-default-device","-lineinfo","-Xptxas=-v",inc.c_str()};
      for(auto&e:extra) o.push_back(e.c_str());
      if(nvrtcCompileProgram(p,o.size(),o.data())!=NVRTC_SUCCESS) fails++;
      size_t cs=0; nvrtcGetCUBINSize(p,&cs); if(!cs) fails++;
      nvrtcDestroyProgram(&p);
      ms[t*per+k]=std::chrono::duration<double,std::milli>(std::chrono::steady_clock::now()-a).count();
    }});
  for(auto&x:th) x.join();
  double wall=std::chrono::duration<double>(std::chrono::steady_clock::now()-t0).count();
  double s=0; for(double m:ms) s+=m;
  printf("threads %d per %d: wall %.2f s, %.1f kernels/s, mean %.0f ms/compile, fails %d\n",T,per,wall,T*per/wall,s/ms.size(),fails);
}
