print("jobsim")
