// CNNLabLessons
